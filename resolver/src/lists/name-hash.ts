// The pair of 32-bit hashes that keys every compiled rule. Labels are hashed right to left,
// each followed by a separator, so hashing a query name once yields the hash of each of its
// suffixes (org, example.org, b.example.org, ...) on the way: one probe per suffix.
// Two independent 32-bit hashes make a false match about one in 2^64 per probe, so no rule
// text is kept in memory to confirm a hit.

export const SEED1 = 0x811c9dc5 | 0;
export const SEED2 = 0x2545f491 | 0;
const DOT = 0x2e;

/**
 * Each rule kind is its own hash variant: the same name under another kind lands in another
 * slot, and a lookup probes a variant only when the snapshot has rules of that kind.
 * Variant 0 (plain blocks) is unsalted.
 */
export const VARIANT_SALT1 = new Int32Array(16);
export const VARIANT_SALT2 = new Int32Array(16);
for (let v = 1; v < 16; v++) {
  VARIANT_SALT1[v] = Math.imul(v, 0x9e3779b1) ^ 0x5bd1e995;
  VARIANT_SALT2[v] = Math.imul(v, 0x85ebca6b) ^ 0x27d4eb2f;
}

/** One byte into h1 (FNV-1a). */
export function mix1(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

/** One byte into h2 (a multiplicative hash independent of FNV). */
export function mix2(h: number, c: number): number {
  return Math.imul(h + c, 0x9e3779b1) ^ (h >>> 13);
}

/**
 * Hash of a normalised text name (lower-case ASCII, no trailing dot), written to out[0..1].
 * Must agree with the wire-name hashing in domain-matcher.ts byte for byte.
 */
export function hashText(name: string, out: Int32Array): void {
  let h1 = SEED1;
  let h2 = SEED2;
  let end = name.length;
  for (let i = end - 1; i >= -1; i--) {
    if (i === -1 || name.charCodeAt(i) === DOT) {
      for (let k = i + 1; k < end; k++) {
        const c = name.charCodeAt(k);
        h1 = mix1(h1, c);
        h2 = mix2(h2, c);
      }
      h1 = mix1(h1, DOT);
      h2 = mix2(h2, DOT);
      end = i;
    }
  }
  out[0] = h1;
  out[1] = h2;
}
