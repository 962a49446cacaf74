// The seam between the query path and the policy engine. The resolver asks two questions
// per query: which network is this client in, and what does that network's policy say about
// this name right now. Both answers are synchronous and allocation-free on the hot path.

export const enum Action {
  Allow = 0,
  Block = 1,
  /** safe search: answer with a CNAME to `rewriteTarget`, resolved upstream */
  Rewrite = 2,
}

export type BlockMode = 'nxdomain' | 'null' | 'refused' | 'custom';

/** What the resolver needs of a policy to synthesise a block answer. */
export interface BlockResponseSpec {
  mode: BlockMode;
  ttl: number;
  /** for mode 'custom': 4-byte and 16-byte addresses */
  ipv4: Uint8Array[];
  ipv6: Uint8Array[];
}

export interface NetworkRuntime {
  readonly id: number;
  readonly name: string;
  readonly policyName: string;
  readonly block: BlockResponseSpec;
}

/** Reusable output of `decide`, filled in place: one instance per listener. */
export class Decision {
  action: Action = Action.Allow;
  /** category bit index that blocked, or -1 for a policy's own deny rule */
  category = -1;
  /** safe-search target in wire form (e.g. 16forcesafesearch6google3com0) */
  rewriteTarget: Uint8Array | null = null;
  /** allowed by one of the policy's own allow rules: it wins over CNAME cloaking too */
  allowRule = false;
}

/**
 * A detailed, human-facing explanation (console domain tester, tests). Not on the hot path.
 */
export interface DecisionReason {
  action: 'allow' | 'block' | 'rewrite';
  network: string;
  policy: string;
  /** category name when a list blocked it */
  category?: string;
  /** the app of the services catalog that blocked it (or that lists it, when not blocked now) */
  service?: { id: string; name: { en: string; vi: string }; group: string };
  /** one line for people: "blocked: TikTok, schedule 'lessons'" */
  summary?: string;
  /** the rule text, its source (list name or "policy:<name>") and line when known */
  rule?: { text: string; source: string; line?: number };
  /** the schedule window that made this rule active, if any */
  schedule?: string;
  /** safe-search engine and enforced host */
  safeSearch?: { engine: string; target: string };
  /** why an allow: "allow rule", "no match", "category not blocked now" */
  detail: string;
}

export interface PolicyEngine {
  /** The client's network, or null: not served (REFUSED). Longest-prefix match, memoised. */
  networkForAddress(address: string): NetworkRuntime | null;
  /** DoH clients identify their network by the token in /dns-query/{token}. */
  networkForToken(token: string): NetworkRuntime | null;
  /**
   * Hot path: the decision for a wire name (label offsets into `buf`) at time `nowMs`.
   * Fills `out` and returns `out.action`.
   */
  decide(net: NetworkRuntime, buf: Uint8Array, labelOffsets: Int32Array, labelCount: number, qtype: number, nowMs: number, out: Decision): Action;
  /**
   * A number that changes whenever any decision could: a new list snapshot or a new
   * schedule minute (a new policy snapshot gives new NetworkRuntime objects). The query path
   * memoises allowed answers under (network, epoch).
   */
  decisionEpoch(nowMs: number): number;
}
