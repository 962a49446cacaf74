import type { Logger } from 'pino';
import type { DomainMatcher } from '../lists/domain-matcher.js';
import type { Config } from '../config/config-schema.js';
import { importConfig } from '../store/config-import.js';
import { ensureDefaults } from '../store/first-start.js';
import { onConfigWrite, readConfigRevision } from '../store/config-revision.js';
import type { Db } from '../store/database.js';
import { decide } from './decide.js';
import { buildSnapshot, type PolicySnapshot, type ServedNetwork } from './policy-snapshot.js';
import type { Action, Decision, DecisionReason, NetworkRuntime, PolicyEngine } from './policy-types.js';

// The policy engine the query path holds: answers from the current snapshot and keeps that
// snapshot in step with the store. Changes are picked up two ways: in-process writers announce
// their commit (applied before the write call returns), and a timer reads the configuration
// revision so a commit from another process or connection lands within one poll. A failed
// rebuild keeps serving the last good snapshot.

export const DEFAULT_POLL_MS = 250;

export interface PolicyServiceOptions {
  db: Db;
  /**
   * The config file's policies and networks, imported (upserted by name) before the first
   * snapshot; then the first-start defaults if the store still has no network.
   */
  config?: Pick<Config, 'policies' | 'networks'>;
  /** the live list snapshot; called per query, so it must be a plain field read */
  lists: () => DomainMatcher;
  logger: Logger;
  clock?: () => number;
  pollMs?: number;
}

export class PolicyService implements PolicyEngine {
  private snap: PolicySnapshot;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly lists: () => DomainMatcher;
  private readonly clock: () => number;
  /** the list snapshot `decisionEpoch` last saw, and how many it has seen */
  private epochLists: DomainMatcher | null = null;
  private listGeneration = 0;

  constructor(private readonly opts: PolicyServiceOptions) {
    this.lists = opts.lists;
    this.clock = opts.clock ?? Date.now;
    if (opts.config) {
      const { warnings } = importConfig(opts.db, opts.config);
      for (const w of warnings) opts.logger.warn(`policy: ${w}`);
    }
    ensureDefaults(opts.db);
    this.snap = this.build();
  }

  /** Begins following the store. */
  start(): void {
    if (this.timer) return;
    this.unsubscribe = onConfigWrite(this.opts.db, () => this.reload());
    this.timer = setInterval(() => this.reloadIfChanged(), this.opts.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Rebuilds from the store now; false (and the old snapshot kept) when that fails. */
  reload(): boolean {
    try {
      this.snap = this.build();
      return true;
    } catch (e) {
      this.opts.logger.error({ err: e }, 'policy: reload failed, keeping the previous policies');
      return false;
    }
  }

  /** The configuration revision the engine currently serves. */
  get revision(): number {
    return this.snap.revision;
  }

  private reloadIfChanged(): void {
    let rev: number;
    try {
      rev = readConfigRevision(this.opts.db);
    } catch (e) {
      this.opts.logger.error({ err: e }, 'policy: cannot read the configuration revision');
      return;
    }
    if (rev !== this.snap.revision) this.reload();
  }

  private build(): PolicySnapshot {
    const snap = buildSnapshot(this.opts.db, { logger: this.opts.logger });
    this.opts.logger.debug({ revision: snap.revision, networks: snap.byName.size, policies: snap.policies.size }, 'policy: loaded');
    return snap;
  }

  decisionEpoch(nowMs: number): number {
    const lists = this.lists();
    if (lists !== this.epochLists) {
      this.epochLists = lists;
      this.listGeneration++;
    }
    // exact in a double for millennia of minutes and billions of list swaps
    return this.listGeneration * 1e9 + Math.floor(nowMs / 60_000);
  }

  networkForAddress(address: string): NetworkRuntime | null {
    return this.snap.addresses.lookup(address);
  }

  networkForToken(token: string): NetworkRuntime | null {
    return this.snap.byToken.get(token) ?? null;
  }

  network(name: string): NetworkRuntime | null {
    return this.snap.byName.get(name) ?? null;
  }

  decide(net: NetworkRuntime, buf: Uint8Array, labelOffsets: Int32Array, labelCount: number, qtype: number, nowMs: number, out: Decision): Action {
    const n = net as ServedNetwork;
    return n.policy.evaluate(buf, labelOffsets, labelCount, n.stateAt(nowMs), this.lists(), out, null);
  }

  /** The console's domain tester: the decision and its reason for a network by name. */
  explain(networkName: string, name: string, qtype: number, at: Date = new Date(this.clock())): DecisionReason {
    const net = this.snap.byName.get(networkName);
    if (!net) throw new Error(`policy: unknown network "${networkName}"`);
    return decide(net, name, qtype, at, this.lists());
  }
}
