// Client addresses as text, from their bytes, cached per address: the batched UDP reader gets
// address bytes from the kernel, while the network lookup (and anything else keyed by the
// address) takes the text dgram would give. A repeat client costs one hash probe and a compare,
// no string. Direct-mapped and bounded, so spoofed sources only evict one another.

const SLOTS = 4096;
const WORDS = 5; // family tag + up to four address words

export class ClientAddressText {
  private readonly keys = new Int32Array(SLOTS * WORDS);
  private readonly texts: string[] = new Array<string>(SLOTS).fill('');

  /**
   * The text of the address in `bytes` at `off` (4 bytes for IPv4, 16 for IPv6), read also as
   * `words` (the same memory as int32, `off` a multiple of 4). `scope` is the IPv6 scope id.
   */
  text(bytes: Uint8Array, words: Int32Array, off: number, v6: boolean, scope: number): string {
    const w = off >> 2;
    const a = words[w];
    let slot: number;
    if (!v6) {
      slot = (Math.imul(a, 0x9e3779b1) >>> 20) & (SLOTS - 1);
      const k = slot * WORDS;
      if (this.keys[k] === 4 && this.keys[k + 1] === a && this.texts[slot] !== '') return this.texts[slot];
      this.keys[k] = 4;
      this.keys[k + 1] = a;
      return (this.texts[slot] = `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`);
    }
    const b = words[w + 1], c = words[w + 2], d = words[w + 3];
    const tag = (6 + scope * 8) | 0;
    slot = (Math.imul(a ^ Math.imul(b, 31) ^ Math.imul(c, 961) ^ Math.imul(d ^ tag, 29791), 0x9e3779b1) >>> 20) & (SLOTS - 1);
    const k = slot * WORDS;
    const keys = this.keys;
    if (keys[k] === tag && keys[k + 1] === a && keys[k + 2] === b && keys[k + 3] === c && keys[k + 4] === d && this.texts[slot] !== '') return this.texts[slot];
    keys[k] = tag;
    keys[k + 1] = a;
    keys[k + 2] = b;
    keys[k + 3] = c;
    keys[k + 4] = d;
    const t = ipv6Text(bytes, off);
    return (this.texts[slot] = scope !== 0 ? `${t}%${scope}` : t);
  }
}

/** RFC 5952 text, as inet_ntop writes it (which is what node:dgram reports). */
export function ipv6Text(bytes: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((bytes[off + 2 * i] << 8) | bytes[off + 2 * i + 1]);
  // the longest run of two or more zero groups becomes "::" (the first, on a tie)
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-compatible and IPv4-mapped forms end in a dotted quad, as inet_ntop writes them
  if (best === 0 && (bestLen === 6 || (bestLen === 7 && g[7] !== 1) || (bestLen === 5 && g[5] === 0xffff))) {
    const q = `${bytes[off + 12]}.${bytes[off + 13]}.${bytes[off + 14]}.${bytes[off + 15]}`;
    return bestLen === 5 ? `::ffff:${q}` : `::${q}`;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(0, 8);
  return `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}
