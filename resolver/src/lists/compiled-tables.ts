import type { RuleAction } from './rule-types.js';

// The plain-data form of a compiled snapshot: typed arrays and a few strings, so a worker can
// build it and hand the buffers over without copying (structured clone with transfer).

export interface RegexRule {
  source: string;
  action: RuleAction;
  /** category set (an id into setWords) of the list the rule comes from */
  set: number;
}

export interface CompiledTables {
  /** slot i holds keys[2i] (h1) and keys[2i+1] (h2); an empty slot is (0, 0) */
  keys: Int32Array;
  /** category set id of slot i */
  slotSets: Int32Array;
  /** set id s holds words setWords[s * words .. s * words + words - 1]; set 0 is empty */
  setWords: Int32Array;
  /** 32-bit words per category set */
  words: number;
  /** bit v set when the snapshot has at least one rule of hash variant v */
  variants: number;
  /** distinct (name, kind) entries stored */
  entries: number;
  regexes: RegexRule[];
}

/** The buffers to list in postMessage's transfer list. */
export function transferables(t: CompiledTables): ArrayBuffer[] {
  return [t.keys.buffer as ArrayBuffer, t.slotSets.buffer as ArrayBuffer, t.setWords.buffer as ArrayBuffer];
}
