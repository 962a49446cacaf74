// Category sets as arrays of 32-bit words (bit b lives in word b >> 5): as wide as the
// highest bit in use needs, so the number of categories has no fixed limit. The hot-path
// helpers take preallocated arrays and allocate nothing.

export type CategoryMask = Int32Array;

export function wordsFor(bits: Iterable<number>): number {
  let max = -1;
  for (const b of bits) if (b > max) max = b;
  return (max >> 5) + 1;
}

/** A mask with the given bits set, at least `minWords` wide. */
export function maskOf(bits: Iterable<number>, minWords = 1): CategoryMask {
  const list = [...bits];
  const m = new Int32Array(Math.max(minWords, wordsFor(list)));
  for (const b of list) m[b >> 5] |= 1 << (b & 31);
  return m;
}

export function hasBit(m: CategoryMask, bit: number): boolean {
  const w = bit >> 5;
  return w < m.length && (m[w] & (1 << (bit & 31))) !== 0;
}

function lowest(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** The lowest bit set in `m`, or -1. */
export function firstBit(m: CategoryMask): number {
  for (let w = 0; w < m.length; w++) if (m[w] !== 0) return (w << 5) + lowest(m[w]);
  return -1;
}

/** The lowest bit set in both masks, or -1. */
export function firstCommonBit(a: CategoryMask, b: CategoryMask): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let w = 0; w < n; w++) {
    const x = a[w] & b[w];
    if (x !== 0) return (w << 5) + lowest(x);
  }
  return -1;
}

export function isEmpty(m: CategoryMask): boolean {
  for (let w = 0; w < m.length; w++) if (m[w] !== 0) return false;
  return true;
}

/** The bits set in `m`, in order. */
export function bitsOf(m: CategoryMask): number[] {
  const out: number[] = [];
  for (let w = 0; w < m.length; w++) for (let b = 0; b < 32; b++) if (m[w] & (1 << b)) out.push((w << 5) + b);
  return out;
}
