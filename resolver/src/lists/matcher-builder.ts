import { hashText, VARIANT_SALT1, VARIANT_SALT2 } from './name-hash.js';
import { SCOPE_COUNT, type RuleAction, type RuleScope } from './rule-types.js';
import type { CompiledTables, RegexRule } from './compiled-tables.js';

// Accumulates hashed rules while lists are parsed, then lays them out as one open-addressing
// table sized for the final count. Staging is a flat Int32Array of (h1, h2, mask) triples,
// so a million rules cost 12 MB while loading and nothing per rule on the JS heap.

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

  addName(name: string, action: RuleAction, scope: RuleScope, mask: number): void {
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
    this.staged[o + 2] = mask;
    this.count++;
    this.variants |= 1 << v;
  }

  addRegex(source: string, action: RuleAction, mask: number): void {
    this.regexes.push({ source, action, mask });
  }

  build(): CompiledTables {
    let cap = 16;
    while (cap * MAX_LOAD < this.count) cap *= 2;
    const keys = new Int32Array(cap * 2);
    const masks = new Int32Array(cap);
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
          masks[s] = st[i * 3 + 2];
          entries++;
          break;
        }
        if (a === h1 && b === h2) {
          masks[s] |= st[i * 3 + 2];
          break;
        }
        s = (s + 1) & m;
      }
    }
    this.staged = new Int32Array(0);
    this.count = 0;
    return { keys, masks, variants: this.variants, entries, regexes: this.regexes };
  }
}
