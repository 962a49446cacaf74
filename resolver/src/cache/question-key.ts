import { lowerByte } from '../dns/wire.js';

// The cache key is a 31-bit hash of the question (name lower-cased, then type and class as
// sent), the DO bit and the CD bit (RFC 6840 5.9: an answer fetched with checking disabled
// must not reach a client that expects validation): a small integer keeps Map lookups off the string-hashing path, and no
// string is built per query. Collisions are resolved by comparing the stored question bytes.
// Only the name is case-folded: the type's bytes can look like ASCII letters (65 is "A").
// `end` is the offset just past QCLASS, so the name ends 4 bytes before it.

export function questionHash(msg: Uint8Array, start: number, end: number, dnssecOk: boolean, checkingDisabled: boolean): number {
  const nameEnd = end - 4;
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < nameEnd; i++) h = Math.imul(h ^ lowerByte(msg[i]), 0x01000193);
  h = Math.imul(h ^ msg[nameEnd], 0x01000193);
  h = Math.imul(h ^ msg[nameEnd + 1], 0x01000193);
  h = Math.imul(h ^ msg[nameEnd + 2], 0x01000193);
  h = Math.imul(h ^ msg[nameEnd + 3], 0x01000193);
  if (dnssecOk) h = Math.imul(h ^ 0xff, 0x01000193);
  if (checkingDisabled) h = Math.imul(h ^ 0xfe, 0x01000193);
  return (h >>> 1) & 0x3fffffff;
}

/** A copy of the question bytes with the name lower-cased, for collision checks and upstream queries. */
export function lowerQuestion(msg: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  const nameEnd = end - 4;
  for (let i = start; i < end; i++) out[i - start] = i < nameEnd ? lowerByte(msg[i]) : msg[i];
  return out;
}

/**
 * Whether `a[aStart..)` and `b[bStart..bEnd)` hold the same question: the name compared
 * case-insensitively (RFC 4343), type and class exactly. `a` must be at least as long.
 */
export function sameQuestion(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, bEnd: number): boolean {
  const nameLen = bEnd - bStart - 4;
  if (aStart + nameLen + 4 > a.length) return false;
  for (let k = 0; k < nameLen; k++) {
    const x = a[aStart + k];
    const y = b[bStart + k];
    // most names arrive in one case: compare first, fold case only on a mismatch
    if (x !== y && lowerByte(x) !== lowerByte(y)) return false;
  }
  const ta = aStart + nameLen, tb = bStart + nameLen;
  return a[ta] === b[tb] && a[ta + 1] === b[tb + 1] && a[ta + 2] === b[tb + 2] && a[ta + 3] === b[tb + 3];
}
