import { hashText, VARIANT_SALT1, VARIANT_SALT2 } from './name-hash.js';
import { SCOPE_COUNT, type RuleAction, type RuleScope } from './rule-types.js';
import { wordsFor } from './category-mask.js';
import type { CompiledTables, RegexRule } from './compiled-tables.js';

// Accumulates hashed rules while lists are parsed, then lays them out as one open-addressing
// table sized for the final count. Staging is a flat Int32Array of (h1, h2, set) triples,
// so a million rules cost 12 MB while loading and nothing per rule on the JS heap.
//
// A slot holds the id of its category set, not the set: sets are few (one per category, plus
// the unions of names listed under several), so the table stays one word per slot however
// many categories exist, and the sets' words sit in one small per-snapshot array.

/** Load factor ceiling: linear probing stays short (about 2 probes on a miss) below 0.7. */
const MAX_LOAD = 0.7;

export function variantOf(action: RuleAction, scope: RuleScope): number {
  return action * SCOPE_COUNT + scope;
}

export class MatcherBuilder {
  private staged = new Int32Array(3 * 1024);
  private count = 0;
  private variants = 0;
  private readonly hash = new Int32Array(2);
  readonly regexes: RegexRule[] = [];
  /** set id -> its bits, sorted; id 0 is the empty set */
  private readonly setBits: number[][] = [[]];
  private readonly setIds = new Map<string, number>([['', 0]]);
  private readonly unions = new Map<string, number>();

  /** The id of the set holding `bits` (one category bit, usually). */
  setFor(...bits: number[]): number {
    const sorted = [...new Set(bits)].sort((a, b) => a - b);
    for (const b of sorted) if (!Number.isInteger(b) || b < 0) throw new Error(`lists: category bit ${b} out of range`);
    const key = sorted.join(',');
    let id = this.setIds.get(key);
    if (id === undefined) {
      id = this.setBits.length;
      this.setBits.push(sorted);
      this.setIds.set(key, id);
    }
    return id;
  }

  private union(a: number, b: number): number {
    if (a === b || b === 0) return a;
    if (a === 0) return b;
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    let id = this.unions.get(key);
    if (id === undefined) this.unions.set(key, (id = this.setFor(...this.setBits[a], ...this.setBits[b])));
    return id;
  }

  /**
   * Room for `more` rules on top of those staged, in one allocation: growing by doubling
   * leaves a trail of freed arrays that the allocator keeps as process memory after the
   * build (about as much again as the table for a million-rule list).
   */
  reserve(more: number): void {
    const need = (this.count + more) * 3;
    if (need <= this.staged.length) return;
    const bigger = new Int32Array(need);
    bigger.set(this.staged.subarray(0, this.count * 3));
    this.staged = bigger;
  }

  addName(name: string, action: RuleAction, scope: RuleScope, set: number): void {
    const v = variantOf(action, scope);
    hashText(name, this.hash);
    if (this.count * 3 + 3 > this.staged.length) {
      const bigger = new Int32Array(this.staged.length * 2);
      bigger.set(this.staged);
      this.staged = bigger;
    }
    const o = this.count * 3;
    this.staged[o] = this.hash[0] ^ VARIANT_SALT1[v];
    this.staged[o + 1] = this.hash[1] ^ VARIANT_SALT2[v];
    this.staged[o + 2] = set;
    this.count++;
    this.variants |= 1 << v;
  }

  addRegex(source: string, action: RuleAction, set: number): void {
    this.regexes.push({ source, action, set });
  }

  build(): CompiledTables {
    let cap = 16;
    while (cap * MAX_LOAD < this.count) cap *= 2;
    const keys = new Int32Array(cap * 2);
    const slotSets = new Int32Array(cap);
    const m = cap - 1;
    let entries = 0;
    const st = this.staged;
    for (let i = 0; i < this.count; i++) {
      const h1 = st[i * 3];
      let h2 = st[i * 3 + 1];
      if (h1 === 0 && h2 === 0) h2 = 1;
      let s = h1 & m;
      for (;;) {
        const a = keys[s * 2];
        const b = keys[s * 2 + 1];
        if (a === 0 && b === 0) {
          keys[s * 2] = h1;
          keys[s * 2 + 1] = h2;
          slotSets[s] = st[i * 3 + 2];
          entries++;
          break;
        }
        if (a === h1 && b === h2) {
          slotSets[s] = this.union(slotSets[s], st[i * 3 + 2]);
          break;
        }
        s = (s + 1) & m;
      }
    }
    this.staged = new Int32Array(0);
    this.count = 0;
    const words = Math.max(1, wordsFor(this.setBits.flat()));
    const setWords = new Int32Array(this.setBits.length * words);
    this.setBits.forEach((bits, id) => {
      for (const b of bits) setWords[id * words + (b >> 5)] |= 1 << (b & 31);
    });
    return { keys, slotSets, setWords, words, variants: this.variants, entries, regexes: this.regexes };
  }
}
