import { addressBytes, type Cidr } from './cidr.js';

// Longest-prefix match from a client address to a value (a network). One hash map per prefix
// length in use, probed longest first, so a lookup costs at most one probe per distinct
// length; the result is memoised per address string so the steady state is one Map.get.
// The memo is bounded (oldest entry out first): spoofed source addresses cannot grow it.

export const DEFAULT_MEMO_SIZE = 16_384;

export class AddressTable<T> {
  private readonly v4 = new Map<number, Map<number, T>>();
  private readonly v6 = new Map<number, Map<bigint, T>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];
  private readonly memo = new Map<string, T | null>();
  /** the last address looked up and its value: most consecutive queries come from one client */
  private lastAddress = '';
  private lastValue: T | null = null;

  constructor(private readonly memoSize = DEFAULT_MEMO_SIZE) {}

  /** Adds a range; returns the value already holding exactly this range, if any (not replaced). */
  add(cidr: Cidr, value: T): T | undefined {
    if (cidr.v6) {
      let m = this.v6.get(cidr.prefix);
      if (!m) { this.v6.set(cidr.prefix, (m = new Map())); this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a); }
      const key = v6Key(cidr.bytes, cidr.prefix);
      const had = m.get(key);
      if (had !== undefined) return had;
      m.set(key, value);
    } else {
      let m = this.v4.get(cidr.prefix);
      if (!m) { this.v4.set(cidr.prefix, (m = new Map())); this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a); }
      const key = v4Key(cidr.bytes, cidr.prefix);
      const had = m.get(key);
      if (had !== undefined) return had;
      m.set(key, value);
    }
    this.memo.clear();
    this.lastAddress = '';
    this.lastValue = null;
    return undefined;
  }

  lookup(address: string): T | null {
    if (address === this.lastAddress) return this.lastValue;
    let found = this.memo.get(address);
    if (found === undefined) {
      found = this.resolve(address);
      if (this.memo.size >= this.memoSize) this.memo.delete(this.memo.keys().next().value as string);
      this.memo.set(address, found);
    }
    this.lastAddress = address;
    this.lastValue = found;
    return found;
  }

  private resolve(address: string): T | null {
    const bytes = addressBytes(address);
    if (!bytes) return null;
    if (bytes.length === 4) {
      for (const len of this.v4Lengths) {
        const v = this.v4.get(len)!.get(v4Key(bytes, len));
        if (v !== undefined) return v;
      }
      return null;
    }
    for (const len of this.v6Lengths) {
      const v = this.v6.get(len)!.get(v6Key(bytes, len));
      if (v !== undefined) return v;
    }
    return null;
  }
}

function v4Key(bytes: number[], prefix: number): number {
  const n = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  return prefix === 0 ? 0 : (n & (0xffffffff << (32 - prefix))) >>> 0;
}

function v6Key(bytes: number[], prefix: number): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  const hostBits = BigInt(128 - prefix);
  return (n >> hostBits) << hostBits;
}
