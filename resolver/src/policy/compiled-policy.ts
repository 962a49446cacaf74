import type { PolicyConfig } from '../config/config-schema.js';
import { categories } from '../lists/categories.js';
import { firstBit, firstCommonBit, hasBit, isEmpty, maskOf, type CategoryMask } from '../lists/category-mask.js';
import { compileRules, type DomainMatcher } from '../lists/domain-matcher.js';
import { serviceCatalog, serviceCategory } from '../lists/service-catalog.js';
import { parseAddress } from './cidr.js';
import { Action, type BlockMode, type BlockResponseSpec, type Decision } from './policy-types.js';
import { compileSafeSearch, safeSearchMask, SAFE_SEARCH_ENGINES, type SafeSearchTargets } from './safe-search.js';
import { localMoment, ScheduleWindow } from './schedule-window.js';

// A policy compiled for the query path. `evaluate` is the single implementation of the
// decision: the hot path calls it with no explanation sink, the console's domain tester and
// `decide()` with one, so what the tester shows is what the resolver does.
//
// Precedence, first match wins:
//   1. allow rules (the policy's, then active schedules'): an admin's explicit allow beats
//      everything, including lists and safe search;
//   2. deny rules (the policy's, then active schedules');
//   3. list categories blocked now (always-on plus active schedules');
//   4. safe-search rewrite.
// Blocks come before the rewrite because a block is the stronger restriction: a kindergarten
// that blocks "streaming" must not get YouTube back in restricted mode.

/** The custom category bit: the policy's own deny rules are compiled under it. */
const CUSTOM_BIT = categories.bit('custom')!;

export interface CompiledSchedule {
  readonly window: ScheduleWindow;
  readonly mask: CategoryMask;
  readonly allow: DomainMatcher | null;
  readonly deny: DomainMatcher | null;
  readonly allowRules: readonly string[];
  readonly denyRules: readonly string[];
}

/** Which schedules are active at one minute; refilled when the minute changes. */
export class ScheduleState {
  /** epoch minute this state was computed for */
  minute = -1;
  /** categories blocked now: always-on plus active schedules' */
  readonly blockMask: CategoryMask;
  /** whether blockMask has any bit: no list lookup is needed otherwise */
  blocking = false;
  /** indexes of the active schedules, first `activeCount` entries */
  readonly active: Int32Array;
  activeCount = 0;
  constructor(scheduleCount: number, words: number) {
    this.active = new Int32Array(scheduleCount);
    this.blockMask = new Int32Array(words);
  }
}

/** Filled by `evaluate` only when explaining; everything the console shows about a decision. */
export interface Explanation {
  detail: string;
  category?: number;
  rule?: { text: string; source: string; line?: number };
  schedule?: string;
  safeSearch?: { engine: string; target: string };
}

export interface PolicyProblem {
  /** field path relative to the policy: "deny[2]", "schedules[0].allow[1]", "safe_search.yandex" */
  field: string;
  message: string;
  /** accepted but not enforced; everything else makes the policy invalid */
  warning?: boolean;
}

function matcherFor(rules: readonly string[], source: string, field: string, problems: PolicyProblem[]): DomainMatcher | null {
  if (rules.length === 0) return null;
  const { matcher, invalid } = compileRules([...rules], CUSTOM_BIT, source);
  for (const i of invalid) problems.push({ field: `${field}[${i.line - 1}]`, message: `${i.reason}: "${i.text}"` });
  return matcher;
}

/** The rule among `rules` matching the name: re-compiled one by one, for explanations only. */
function findRule(rules: readonly string[], source: string, buf: Uint8Array, offs: Int32Array, count: number): { text: string; source: string; line: number } | undefined {
  for (let i = 0; i < rules.length; i++) {
    if (compileRules([rules[i]], CUSTOM_BIT, source).matcher.matches(buf, offs, count)) return { text: rules[i], source, line: i + 1 };
  }
  return undefined;
}

/** The categories of the services (and groups) named; unknown ids are validation's to report. */
export function serviceCategories(ids: readonly string[] | undefined): string[] {
  if (!ids || ids.length === 0) return [];
  return serviceCatalog().expand(ids).services.map((s) => serviceCategory(s.id));
}

function lowestBit(m: number): number {
  return 31 - Math.clz32(m & -m);
}

function orInto(into: CategoryMask, m: CategoryMask): void {
  for (let i = 0; i < m.length; i++) into[i] |= m[i];
}

export class CompiledPolicy {
  readonly block: BlockResponseSpec;
  readonly schedules: readonly CompiledSchedule[];
  /** problems found while compiling (invalid rules are skipped, the rest still applies) */
  readonly problems: PolicyProblem[] = [];
  private readonly source: string;
  private readonly allowRules: readonly string[];
  private readonly denyRules: readonly string[];
  private readonly allow: DomainMatcher | null;
  private readonly deny: DomainMatcher | null;
  private readonly baseMask: CategoryMask;
  /** words of every mask this policy holds (a ScheduleState for it is this wide) */
  readonly words: number;
  private readonly safe: SafeSearchTargets;

  constructor(readonly id: number, readonly name: string, p: PolicyConfig) {
    const problems = this.problems;
    this.source = `policy:${p.name}`;
    this.allowRules = p.allow ?? [];
    this.denyRules = p.deny ?? [];
    this.allow = matcherFor(this.allowRules, this.source, 'allow', problems);
    this.deny = matcherFor(this.denyRules, this.source, 'deny', problems);
    this.baseMask = this.categoryMask([...(p.block ?? []), ...serviceCategories(p.services)]);
    this.schedules = (p.schedules ?? []).map((s, i) => ({
      window: new ScheduleWindow(s.name, s.days, s.from, s.to, s.except ?? []),
      mask: this.categoryMask([...(s.block ?? []), ...serviceCategories(s.services)]),
      allow: matcherFor(s.allow ?? [], this.source, `schedules[${i}].allow`, problems),
      deny: matcherFor(s.deny ?? [], this.source, `schedules[${i}].deny`, problems),
      allowRules: s.allow ?? [],
      denyRules: s.deny ?? [],
    }));
    this.safe = compileSafeSearch(p.safe_search ?? {});
    for (const e of this.safe.unsupported) problems.push({ field: `safe_search.${e}`, message: 'no documented DNS enforcement for this engine; not applied', warning: true });
    this.block = this.blockSpec(p, problems);
    this.words = Math.max(this.baseMask.length, ...this.schedules.map((s) => s.mask.length));
  }

  /**
   * Names are only looked up: a name no snapshot has given a bit blocks nothing yet (the
   * policy snapshot allocates the bits of stored policies before compiling them).
   */
  private categoryMask(names: readonly string[]): CategoryMask {
    const bits: number[] = [];
    for (const n of names) {
      const b = categories.bit(n);
      if (b !== undefined) bits.push(b);
    }
    return maskOf(bits);
  }

  /** A schedule state sized for this policy. */
  newState(): ScheduleState {
    return new ScheduleState(this.schedules.length, this.words);
  }

  private blockSpec(p: PolicyConfig, problems: PolicyProblem[]): BlockResponseSpec {
    const spec: BlockResponseSpec = { mode: (p.block_mode ?? 'nxdomain') as BlockMode, ttl: p.block_ttl ?? 60, ipv4: [], ipv6: [] };
    (p.block_ips ?? []).forEach((ip, i) => {
      const a = parseAddress(ip);
      if (!a) problems.push({ field: `block_ips[${i}]`, message: `not an IP address: "${ip}"` });
      else (a.v6 ? spec.ipv6 : spec.ipv4).push(a.bytes);
    });
    if (spec.mode === 'custom' && spec.ipv4.length + spec.ipv6.length === 0) {
      problems.push({ field: 'block_ips', message: 'block_mode "custom" needs at least one address' });
      // a block must still block: fall back to the unspecified addresses
      spec.mode = 'null';
    }
    return spec;
  }

  /** Fills `state` for the minute containing `ms`, in time zone `zone`. */
  fillState(zone: string, ms: number, state: ScheduleState): ScheduleState {
    state.minute = Math.floor(ms / 60_000);
    state.blockMask.fill(0);
    orInto(state.blockMask, this.baseMask);
    state.activeCount = 0;
    if (this.schedules.length !== 0) {
      const local = localMoment(zone, ms);
      for (let i = 0; i < this.schedules.length; i++) {
        const s = this.schedules[i];
        if (!s.window.appliesAt(local)) continue;
        state.active[state.activeCount++] = i;
        orInto(state.blockMask, s.mask);
      }
    }
    state.blocking = !isEmpty(state.blockMask);
    return state;
  }

  /**
   * The decision for a wire name under `state`. Fills `out`, and `why` when given (slow path:
   * it re-reads rule text to name the rule that matched). Allocation-free when `why` is null.
   */
  evaluate(buf: Uint8Array, offs: Int32Array, count: number, state: ScheduleState, lists: DomainMatcher, out: Decision, why: Explanation | null): Action {
    out.rewriteTarget = null;
    out.category = -1;
    out.allowRule = false;

    if (this.allow !== null && this.allow.matches(buf, offs, count)) {
      if (why) { why.detail = 'allow rule'; why.rule = findRule(this.allowRules, this.source, buf, offs, count); }
      out.allowRule = true;
      return (out.action = Action.Allow);
    }
    for (let i = 0; i < state.activeCount; i++) {
      const s = this.schedules[state.active[i]];
      if (s.allow !== null && s.allow.matches(buf, offs, count)) {
        if (why) { why.detail = 'allow rule'; why.schedule = s.window.name; why.rule = findRule(s.allowRules, this.source, buf, offs, count); }
        out.allowRule = true;
        return (out.action = Action.Allow);
      }
    }

    if (this.deny !== null && this.deny.matches(buf, offs, count)) {
      if (why) { why.detail = 'deny rule'; why.rule = findRule(this.denyRules, this.source, buf, offs, count); }
      return (out.action = Action.Block);
    }
    for (let i = 0; i < state.activeCount; i++) {
      const s = this.schedules[state.active[i]];
      if (s.deny !== null && s.deny.matches(buf, offs, count)) {
        if (why) { why.detail = 'deny rule'; why.schedule = s.window.name; why.rule = findRule(s.denyRules, this.source, buf, offs, count); }
        return (out.action = Action.Block);
      }
    }

    // the matcher's reused result: read before any other call to the list matcher
    const listed = !state.blocking && why === null ? null : lists.match(buf, offs, count);
    const blocked = listed === null ? -1 : firstCommonBit(listed, state.blockMask);
    if (blocked >= 0) {
      out.category = blocked;
      if (why) {
        why.detail = 'category blocked';
        why.category = blocked;
        if (!hasBit(this.baseMask, blocked)) why.schedule = this.scheduleBlocking(state, blocked);
      }
      return (out.action = Action.Block);
    }

    if (this.safe.mask !== 0) {
      const engines = safeSearchMask(buf, offs, count) & this.safe.mask;
      if (engines !== 0) {
        const e = lowestBit(engines);
        out.rewriteTarget = this.safe.wire[e];
        if (why) { why.detail = 'safe search'; why.safeSearch = { engine: SAFE_SEARCH_ENGINES[e], target: this.safe.names[e]! }; }
        return (out.action = Action.Rewrite);
      }
    }

    if (why) {
      const cat = listed === null ? -1 : firstBit(listed);
      if (cat >= 0) { why.detail = 'category not blocked now'; why.category = cat; }
      else why.detail = 'no match';
    }
    return (out.action = Action.Allow);
  }

  private scheduleBlocking(state: ScheduleState, bit: number): string | undefined {
    for (let i = 0; i < state.activeCount; i++) {
      const s = this.schedules[state.active[i]];
      if (hasBit(s.mask, bit)) return s.window.name;
    }
    return undefined;
  }
}
