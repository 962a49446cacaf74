// The vocabulary every list parser speaks: a rule is an action (what it does) applied to a
// scope (which names it covers). The compiler turns these into hash variants; `explain`
// re-parses the cached text and checks the same fields against a name.

export const enum RuleAction {
  Block = 0,
  Allow = 1,
  /** `$important` blocks: list exceptions do not lift them */
  Important = 2,
  /** `@@...$important` exceptions: they lift important blocks too */
  AllowImportant = 3,
}
export const ACTION_COUNT = 4;

export const enum RuleScope {
  /** the name and every name under it (`||example.org^`, hosts, plain domains) */
  Tree = 0,
  /** exactly that name (`|example.org^`, RPZ `example.org CNAME .`) */
  Exact = 1,
  /** names under it, not the name itself (`*.example.org`) */
  Sub = 2,
}
export const SCOPE_COUNT = 3;

export type ListFormatName = 'hosts' | 'domains' | 'adblock' | 'dnsmasq' | 'rpz' | 'regex';

/** What a parser reports; one sink per source, line numbers are 1-based. */
export interface RuleSink {
  /** `name` is already normalised: lower case, ASCII (punycode), no trailing dot. */
  name(name: string, action: RuleAction, scope: RuleScope, line: number): void;
  /** `pattern` is a JavaScript regular expression source, tested against the lower-case name. */
  regex(pattern: string, action: RuleAction, line: number): void;
  /** a well-formed rule a DNS filter cannot honour (cosmetic, path, modifier...) */
  skipped(reason: string): void;
  invalid(line: number, text: string, reason: string): void;
}

export interface InvalidLine {
  line: number;
  text: string;
  reason: string;
}

/** A parser keeps state across lines (RPZ $ORIGIN, multi-line records), so one per source. */
export interface LineParser {
  /** `line` has no line terminator and no BOM; it may carry any whitespace. */
  parse(line: string, lineNo: number, sink: RuleSink): void;
}

export function isAllow(action: RuleAction): boolean {
  return action === RuleAction.Allow || action === RuleAction.AllowImportant;
}
