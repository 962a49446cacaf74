import { lowerByte } from '../dns/wire.js';
import type { CompiledTables } from './compiled-tables.js';
import { linearRegex } from './linear-regex.js';
import { MatcherBuilder } from './matcher-builder.js';
import { mix1, mix2, SEED1, SEED2, VARIANT_SALT1, VARIANT_SALT2 } from './name-hash.js';
import { RuleAction, RuleScope, SCOPE_COUNT, type InvalidLine } from './rule-types.js';
import { compileMixedLines } from './source-compiler.js';

// The hot-path view of a compiled snapshot. One pass over the query name from its last label
// hashes every suffix; each suffix is probed in the plain-block variant and in whichever other
// rule kinds the snapshot holds. Cost depends on the name's label count, not the list size.

export interface DomainMatcher {
  /** Category mask of block rules matching this wire name, list exceptions already applied. */
  blockedMask(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): number;
  readonly size: number; // entries
}

const DOT = 0x2e;

export class CompiledMatcher implements DomainMatcher {
  readonly size: number;
  private readonly keys: Int32Array;
  private readonly masks: Int32Array;
  private readonly slotMask: number;
  private readonly hasPlain: boolean;
  // the other variants present, unrolled into parallel arrays for the probe loop
  private readonly vScope: Int32Array;
  private readonly vAction: Int32Array;
  private readonly vSalt1: Int32Array;
  private readonly vSalt2: Int32Array;
  /** per-action accumulators, reused: the matcher is only called synchronously */
  private readonly acc = new Int32Array(4);
  private readonly regexes: RegExp[];
  private readonly regexAction: Int32Array;
  private readonly regexMask: Int32Array;

  constructor(t: CompiledTables) {
    this.keys = t.keys;
    this.masks = t.masks;
    this.slotMask = t.masks.length - 1;
    this.hasPlain = (t.variants & 1) !== 0;
    const others: number[] = [];
    for (let v = 1; v < 16; v++) if (t.variants & (1 << v)) others.push(v);
    this.vScope = Int32Array.from(others, (v) => v % SCOPE_COUNT);
    this.vAction = Int32Array.from(others, (v) => Math.floor(v / SCOPE_COUNT));
    this.vSalt1 = Int32Array.from(others, (v) => VARIANT_SALT1[v]);
    this.vSalt2 = Int32Array.from(others, (v) => VARIANT_SALT2[v]);
    this.regexes = t.regexes.map((r) => linearRegex(r.source));
    this.regexAction = Int32Array.from(t.regexes, (r) => r.action);
    this.regexMask = Int32Array.from(t.regexes, (r) => r.mask);
    this.size = t.entries + t.regexes.length;
  }

  /** Memory held by the hash table (the regexes aside). */
  get byteLength(): number {
    return this.keys.byteLength + this.masks.byteLength;
  }

  private probe(h1: number, h2: number): number {
    if (h1 === 0 && h2 === 0) h2 = 1;
    const keys = this.keys;
    const m = this.slotMask;
    for (let s = h1 & m; ; s = (s + 1) & m) {
      const a = keys[s * 2];
      const b = keys[s * 2 + 1];
      if (a === h1 && b === h2) return this.masks[s];
      if (a === 0 && b === 0) return 0;
    }
  }

  blockedMask(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): number {
    const acc = this.acc;
    acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0;
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
      if (this.hasPlain) acc[0] |= this.probe(h1, h2);
      for (let i = 0; i < nv; i++) {
        const scope = this.vScope[i];
        if (scope === RuleScope.Exact ? j !== 0 : scope === RuleScope.Sub && j === 0) continue;
        acc[this.vAction[i]] |= this.probe(h1 ^ this.vSalt1[i], h2 ^ this.vSalt2[i]);
      }
    }
    if (this.regexes.length !== 0) this.matchRegexes(buf, labelOffsets, labelCount);
    return ((acc[RuleAction.Block] & ~acc[RuleAction.Allow]) | acc[RuleAction.Important]) & ~acc[RuleAction.AllowImportant];
  }

  /** Regex rules need the name as text: built only when the snapshot has any. */
  private matchRegexes(buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): void {
    let name = '';
    for (let j = 0; j < labelCount; j++) {
      const o = labelOffsets[j];
      if (j) name += '.';
      for (let k = o + 1; k <= o + buf[o]; k++) name += String.fromCharCode(lowerByte(buf[k]));
    }
    for (let i = 0; i < this.regexes.length; i++) {
      const a = this.regexAction[i];
      // a category already settled for this action needs no regex run
      if ((this.acc[a] & this.regexMask[i]) === this.regexMask[i]) continue;
      if (this.regexes[i].test(name)) this.acc[a] |= this.regexMask[i];
    }
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
  if (!Number.isInteger(category) || category < 0 || category > 31) throw new Error(`lists: ${source}: category bit ${category} out of range`);
  const builder = new MatcherBuilder();
  const stats = compileMixedLines(rules, 1 << category, Number.MAX_SAFE_INTEGER, builder);
  const invalid: InvalidLine[] = stats.invalidSample;
  return { matcher: new CompiledMatcher(builder.build()), invalid };
}
