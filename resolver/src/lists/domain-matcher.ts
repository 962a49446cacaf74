import { lowerByte } from '../dns/wire.js';
import { isEmpty, type CategoryMask } from './category-mask.js';
import type { CompiledTables } from './compiled-tables.js';
import { linearRegex, requiredLiteral } from './linear-regex.js';
import { MatcherBuilder } from './matcher-builder.js';
import { mix1, mix2, SEED1, SEED2, VARIANT_SALT1, VARIANT_SALT2 } from './name-hash.js';
import { RuleAction, RuleScope, SCOPE_COUNT, type InvalidLine } from './rule-types.js';
import { compileMixedLines } from './source-compiler.js';

// The hot-path view of a compiled snapshot. One pass over the query name from its last label
// hashes every suffix; each suffix is probed in the plain-block variant and in whichever other
// rule kinds the snapshot holds. Cost depends on the name's label count, not the list size.

export interface DomainMatcher {
  /**
   * Categories of the block rules matching this wire name, list exceptions already applied,
   * as a mask (category-mask.ts) the matcher reuses: read it before the next call.
   */
  match(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): CategoryMask;
  /** Whether any block rule matches (match() is not empty). */
  matches(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): boolean;
  readonly size: number; // entries
}

const DOT = 0x2e;
/** labels in a name of at most 255 octets */
const MAX_LABELS = 128;

export class CompiledMatcher implements DomainMatcher {
  readonly size: number;
  private readonly keys: Int32Array;
  private readonly slotSets: Int32Array;
  private readonly setWords: Int32Array;
  private readonly words: number;
  private readonly slotMask: number;
  private readonly hasPlain: boolean;
  // the other variants present, unrolled into parallel arrays for the probe loop
  private readonly vScope: Int32Array;
  private readonly vAction: Int32Array;
  private readonly vSalt1: Int32Array;
  private readonly vSalt2: Int32Array;
  /** the (action, set) pairs one lookup hit, and its result: reused, the matcher is only called synchronously */
  private readonly hitAction: Int32Array;
  private readonly hitSet: Int32Array;
  private readonly result: CategoryMask;
  private readonly regexes: RegExp[];
  private readonly regexAction: Int32Array;
  private readonly regexSet: Int32Array;
  /** a literal each regex's matches contain ('' = none known): a name without it skips the run */
  private readonly regexLiteral: string[];

  constructor(t: CompiledTables) {
    this.keys = t.keys;
    this.slotSets = t.slotSets;
    this.setWords = t.setWords;
    this.words = t.words;
    this.result = new Int32Array(t.words);
    this.slotMask = t.slotSets.length - 1;
    this.hasPlain = (t.variants & 1) !== 0;
    const others: number[] = [];
    for (let v = 1; v < 16; v++) if (t.variants & (1 << v)) others.push(v);
    this.vScope = Int32Array.from(others, (v) => v % SCOPE_COUNT);
    this.vAction = Int32Array.from(others, (v) => Math.floor(v / SCOPE_COUNT));
    this.vSalt1 = Int32Array.from(others, (v) => VARIANT_SALT1[v]);
    this.vSalt2 = Int32Array.from(others, (v) => VARIANT_SALT2[v]);
    this.regexes = t.regexes.map((r) => linearRegex(r.source));
    this.regexLiteral = t.regexes.map((r) => requiredLiteral(r.source));
    this.regexAction = Int32Array.from(t.regexes, (r) => r.action);
    this.regexSet = Int32Array.from(t.regexes, (r) => r.set);
    // at most one hit per probe (127 labels, each in every variant) and per regex
    const maxHits = MAX_LABELS * (1 + others.length) + t.regexes.length;
    this.hitAction = new Int32Array(maxHits);
    this.hitSet = new Int32Array(maxHits);
    this.size = t.entries + t.regexes.length;
  }

  /** Memory held by the hash table (the regexes aside). */
  get byteLength(): number {
    return this.keys.byteLength + this.slotSets.byteLength + this.setWords.byteLength;
  }

  private probe(h1: number, h2: number): number {
    if (h1 === 0 && h2 === 0) h2 = 1;
    const keys = this.keys;
    const m = this.slotMask;
    for (let s = h1 & m; ; s = (s + 1) & m) {
      const a = keys[s * 2];
      const b = keys[s * 2 + 1];
      if (a === h1 && b === h2) return this.slotSets[s];
      if (a === 0 && b === 0) return 0;
    }
  }

  match(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): CategoryMask {
    // The walk only notes which (action, set) pairs hit; sets are combined word by word once
    // at the end. Most probes miss, so a miss costs what it did with one-word masks.
    let hits = 0;
    const hitAction = this.hitAction;
    const hitSet = this.hitSet;
    const nv = this.vScope.length;
    let h1 = SEED1;
    let h2 = SEED2;
    for (let j = labelCount - 1; j >= 0; j--) {
      const o = labelOffsets[j];
      const end = o + buf[o];
      for (let k = o + 1; k <= end; k++) {
        const c = lowerByte(buf[k]);
        h1 = mix1(h1, c);
        h2 = mix2(h2, c);
      }
      h1 = mix1(h1, DOT);
      h2 = mix2(h2, DOT);
      if (this.hasPlain) {
        const id = this.probe(h1, h2);
        if (id !== 0) { hitAction[hits] = RuleAction.Block; hitSet[hits++] = id; }
      }
      for (let i = 0; i < nv; i++) {
        const scope = this.vScope[i];
        if (scope === RuleScope.Exact ? j !== 0 : scope === RuleScope.Sub && j === 0) continue;
        const id = this.probe(h1 ^ this.vSalt1[i], h2 ^ this.vSalt2[i]);
        if (id !== 0) { hitAction[hits] = this.vAction[i]; hitSet[hits++] = id; }
      }
    }
    if (this.regexes.length !== 0) hits = this.matchRegexes(buf, labelOffsets, labelCount, hits);
    const out = this.result;
    const w = this.words;
    if (hits === 0) {
      for (let i = 0; i < w; i++) out[i] = 0;
      return out;
    }
    const sets = this.setWords;
    for (let i = 0; i < w; i++) {
      let block = 0, allow = 0, important = 0, allowImportant = 0;
      for (let h = 0; h < hits; h++) {
        const m = sets[hitSet[h] * w + i];
        switch (hitAction[h]) {
          case RuleAction.Block: block |= m; break;
          case RuleAction.Allow: allow |= m; break;
          case RuleAction.Important: important |= m; break;
          default: allowImportant |= m;
        }
      }
      out[i] = ((block & ~allow) | important) & ~allowImportant;
    }
    return out;
  }

  matches(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): boolean {
    return !isEmpty(this.match(buf, labelOffsets, labelCount));
  }

  /** Regex rules need the name as text: built only when the snapshot has any. Returns the new hit count. */
  private matchRegexes(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number, hits: number): number {
    let name = '';
    for (let j = 0; j < labelCount; j++) {
      const o = labelOffsets[j];
      if (j) name += '.';
      for (let k = o + 1; k <= o + buf[o]; k++) name += String.fromCharCode(lowerByte(buf[k]));
    }
    for (let i = 0; i < this.regexes.length; i++) {
      const a = this.regexAction[i];
      // a category already settled for this action needs no regex run
      if (this.settled(a, this.regexSet[i], hits)) continue;
      const lit = this.regexLiteral[i];
      if (lit !== '' && !name.includes(lit)) continue;
      if (this.regexes[i].test(name)) { this.hitAction[hits] = a; this.hitSet[hits++] = this.regexSet[i]; }
    }
    return hits;
  }

  /** Whether the hits so far of `action` already cover set `id`. */
  private settled(action: number, id: number, hits: number): boolean {
    const w = this.words;
    const sets = this.setWords;
    for (let i = 0; i < w; i++) {
      const m = sets[id * w + i];
      let have = 0;
      for (let h = 0; h < hits; h++) if (this.hitAction[h] === action) have |= sets[this.hitSet[h] * w + i];
      if ((have & m) !== m) return false;
    }
    return true;
  }
}

let empty: CompiledMatcher | undefined;

/** A matcher that matches nothing (before the first snapshot is live). */
export function emptyMatcher(): DomainMatcher {
  empty ??= new CompiledMatcher(new MatcherBuilder().build());
  return empty;
}

/** Synchronous compile of a small rule set (a policy's own deny/allow rules, any supported syntax
 *  per line, auto-detected per line), every rule under `category` (a bit from categories.ts). */
export function compileRules(rules: string[], category: number, source: string): { matcher: DomainMatcher; invalid: Array<{ line: number; text: string; reason: string }> } {
  if (!Number.isInteger(category) || category < 0) throw new Error(`lists: ${source}: category bit ${category} out of range`);
  const builder = new MatcherBuilder();
  const stats = compileMixedLines(rules, builder.setFor(category), Number.MAX_SAFE_INTEGER, builder);
  const invalid: InvalidLine[] = stats.invalidSample;
  return { matcher: new CompiledMatcher(builder.build()), invalid };
}
