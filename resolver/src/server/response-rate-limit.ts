import { parseCidr } from '../policy/cidr.js';

// Response rate limiting (RRL) in the spirit of NSD and Unbound: a UDP source address can be
// forged, so a flood of queries "from" a victim turns a resolver into a reflector. Answers
// per client prefix (/24 for IPv4, /56 for IPv6 by default) are counted per second; past
// `ratelimit`, every `slip`-th answer goes out empty with TC=1 (a real client retries over
// TCP, which cannot be forged) and the rest are dropped. Counted on a fixed-size table of
// hashed buckets, so a spoofed flood of random prefixes costs no memory, and parsed from the
// address text without allocating: this runs for every UDP query.

export const enum RrlVerdict {
  Answer = 0,
  /** send an empty TC=1 reply instead */
  Slip = 1,
  Drop = 2,
}

export interface RateLimitOptions {
  /** answers per second per prefix; 0 = off */
  ratelimit: number;
  /** every slip-th limited answer is sent truncated; 0 = drop them all */
  slip: number;
  ipv4Prefix: number;
  ipv6Prefix: number;
  /** ranges never limited ("127.0.0.0/8", "::1/128") */
  exempt: readonly string[];
  /** buckets in the table (a power of two is used) */
  buckets?: number;
}

export interface RateLimitCounters {
  /** answers over the limit: slipped + dropped */
  limited: number;
  slipped: number;
  dropped: number;
}

/** Consecutive slots probed for a prefix before it shares a bucket that is in use. */
const PROBES = 4;
const DEFAULT_BUCKETS = 16_384;

/** Parsed exempt range: family, prefix length and the leading bits as four 32-bit words. */
interface Range {
  v6: boolean;
  prefix: number;
  words: Int32Array;
}

export class ResponseRateLimiter {
  readonly counters: RateLimitCounters = { limited: 0, slipped: 0, dropped: 0 };
  private readonly mask: number;
  /** bucket key: two words (family bit folded into the first) */
  private readonly keyA: Int32Array;
  private readonly keyB: Int32Array;
  private readonly second: Float64Array;
  private readonly count: Int32Array;
  /** the address being checked, as four 32-bit words (IPv4 in word 0) */
  private readonly words = new Int32Array(4);
  private readonly hextets = new Int32Array(8);
  private readonly exempt: Range[];
  private slipTurn = 0;
  /**
   * The address last checked, its family and whether it is exempt: consecutive queries mostly
   * come from one client (and the batched reader hands out one string per address), so a
   * repeat costs a comparison instead of parsing the text again.
   */
  private lastAddress = '';
  private lastFam = -1;
  private lastExempt = false;

  constructor(private readonly o: RateLimitOptions) {
    let size = 1024;
    while (size < (o.buckets ?? DEFAULT_BUCKETS)) size *= 2;
    this.mask = size - 1;
    this.keyA = new Int32Array(size);
    this.keyB = new Int32Array(size);
    this.second = new Float64Array(size).fill(-1);
    this.count = new Int32Array(size);
    this.exempt = o.exempt.map((text) => {
      const c = parseCidr(text);
      if (c === null) throw new Error(`dns: ratelimit_exempt: not an address range: "${text}"`);
      const words = new Int32Array(4);
      for (let i = 0; i < c.bytes.length; i++) words[i >> 2] |= c.bytes[i] << (24 - 8 * (i & 3));
      return { v6: c.v6, prefix: c.prefix, words };
    });
  }

  /** What to do with the answer to a UDP query from `address` at `nowMs`. */
  check(address: string, nowMs: number): RrlVerdict {
    if (address !== this.lastAddress) {
      this.lastAddress = address;
      this.lastFam = this.parse(address);
      this.lastExempt = this.lastFam >= 0 && this.isExempt(this.lastFam === 1);
    }
    const fam = this.lastFam;
    if (fam < 0 || this.lastExempt) return RrlVerdict.Answer;
    const v6 = fam === 1;
    const w = this.words;
    // the client's prefix: /24 keeps one word, /56 keeps 56 bits of two
    const p = v6 ? this.o.ipv6Prefix : this.o.ipv4Prefix;
    const a = (keep(w[0], p) ^ (v6 ? 0x40000000 : 0)) | 0;
    const b = v6 ? keep(w[1], p - 32) : 0;
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    const sec = Math.floor(nowMs / 1000);
    let slot = -1;
    for (let i = 0; i < PROBES; i++) {
      const s = (h + i) & this.mask;
      if (this.second[s] >= 0 && this.keyA[s] === a && this.keyB[s] === b) {
        slot = s;
        break;
      }
      if (slot < 0 && this.second[s] < sec) slot = s; // a bucket idle this second can be taken over
    }
    if (slot < 0) slot = h & this.mask; // every probed bucket is busy: share the first
    else if (this.keyA[slot] !== a || this.keyB[slot] !== b || this.second[slot] < 0) {
      this.keyA[slot] = a;
      this.keyB[slot] = b;
      this.second[slot] = sec;
      this.count[slot] = 0;
    }
    if (this.second[slot] !== sec) {
      this.second[slot] = sec;
      this.count[slot] = 0;
    }
    if (++this.count[slot] <= this.o.ratelimit) return RrlVerdict.Answer;
    this.counters.limited++;
    if (this.o.slip > 0 && ++this.slipTurn >= this.o.slip) {
      this.slipTurn = 0;
      this.counters.slipped++;
      return RrlVerdict.Slip;
    }
    this.counters.dropped++;
    return RrlVerdict.Drop;
  }

  /** Whether the address just parsed into `words` lies in an exempt range. */
  private isExempt(v6: boolean): boolean {
    for (let i = 0; i < this.exempt.length; i++) if (this.inRange(this.exempt[i], v6)) return true;
    return false;
  }

  private inRange(r: Range, v6: boolean): boolean {
    if (r.v6 !== v6) return false;
    for (let i = 0, left = r.prefix; left > 0; i++, left -= 32) {
      if (keep(this.words[i], left) !== keep(r.words[i], left)) return false;
    }
    return true;
  }

  /**
   * Reads an address into `words`: 0 for IPv4 (also IPv4-mapped IPv6 such as
   * "::ffff:192.0.2.1", how a dual-stack socket reports IPv4 clients), 1 for IPv6, -1 when
   * it is neither. A zone suffix ("%eth0") is ignored.
   */
  private parse(s: string): number {
    const w = this.words;
    w[0] = 0; w[1] = 0; w[2] = 0; w[3] = 0;
    let end = s.length;
    const pct = s.indexOf('%');
    if (pct >= 0) end = pct;
    if (s.indexOf(':') < 0) return this.parseV4(s, 0, end) ? 0 : -1;
    if (end > 7 && s.startsWith('::ffff:') && s.indexOf('.', 7) > 0) return this.parseV4(s, 7, end) ? 0 : -1;
    return this.parseV6(s, end) ? 1 : -1;
  }

  private parseV4(s: string, from: number, end: number): boolean {
    let n = 0;
    let octet = -1;
    let parts = 0;
    for (let i = from; i <= end; i++) {
      const c = i === end ? 0x2e : s.charCodeAt(i);
      if (c === 0x2e) {
        if (octet < 0 || octet > 255) return false;
        n = (n << 8) | octet;
        octet = -1;
        parts++;
      } else if (c >= 0x30 && c <= 0x39) {
        octet = (octet < 0 ? 0 : octet * 10) + (c - 0x30);
      } else return false;
    }
    if (parts !== 4) return false;
    this.words[0] = n | 0;
    return true;
  }

  private parseV6(s: string, end: number): boolean {
    const hx = this.hextets;
    hx.fill(0);
    let count = 0;
    let gap = -1; // where "::" stands, in hextets
    let cur = -1;
    for (let i = 0; i <= end; i++) {
      const c = i === end ? 0x3a : s.charCodeAt(i);
      if (c === 0x3a) {
        const had = cur >= 0;
        if (had) {
          if (count === 8) return false;
          hx[count++] = cur;
          cur = -1;
        }
        if (i + 1 < end && s.charCodeAt(i + 1) === 0x3a) {
          if (gap >= 0) return false;
          gap = count;
          i++;
        } else if (!had && i !== end) return false;
      } else if (c === 0x2e) {
        // an embedded IPv4 tail lies in the low 32 bits, beyond any prefix of 96 or less: ignore
        cur = -1;
        break;
      } else {
        const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
        if (d < 0) return false;
        cur = (cur < 0 ? 0 : cur << 4) | d;
        if (cur > 0xffff) return false;
      }
    }
    if (gap >= 0) {
      const tail = count - gap;
      for (let i = 7; i >= 8 - tail; i--) hx[i] = hx[gap + tail - (8 - i)];
      for (let i = gap; i < 8 - tail; i++) hx[i] = 0;
    } else if (count !== 8 && count !== 6) return false;
    for (let i = 0; i < 4; i++) this.words[i] = ((hx[i * 2] << 16) | hx[i * 2 + 1]) | 0;
    return true;
  }
}

/** The leading `bits` of a 32-bit word (all of it from 32 up, none at 0 or below). */
function keep(word: number, bits: number): number {
  if (bits >= 32) return word | 0;
  if (bits <= 0) return 0;
  return (word & (0xffffffff << (32 - bits))) | 0;
}
