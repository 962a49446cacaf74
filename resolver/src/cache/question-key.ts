import { lowerByte } from '../dns/wire.js';

// The cache key is a 31-bit hash of the lower-cased question (name, type, class) and the DO
// bit: a small integer keeps Map lookups off the string-hashing path, and no string is built
// per query. Collisions are resolved by comparing the stored question bytes.

export function questionHash(msg: Uint8Array, start: number, end: number, dnssecOk: boolean): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ lowerByte(msg[i]), 0x01000193);
  if (dnssecOk) h = Math.imul(h ^ 0xff, 0x01000193);
  return (h >>> 1) & 0x3fffffff;
}

/** Lower-cased copy of the question bytes, for collision checks and upstream queries. */
export function lowerQuestion(msg: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = lowerByte(msg[i]);
  return out;
}

export function sameQuestion(stored: Uint8Array, msg: Uint8Array, start: number, end: number): boolean {
  if (stored.length !== end - start) return false;
  for (let i = start, k = 0; i < end; i++, k++) if (stored[k] !== lowerByte(msg[i])) return false;
  return true;
}
