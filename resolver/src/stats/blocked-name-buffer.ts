import { labelsToText, lowerByte } from '../dns/wire.js';

// Blocked names as they arrive between two flushes, counted per (name, network). The hot
// path hashes the wire name and the network id and probes an open-addressing table of typed
// arrays (no Map, no string, no object per query); a name's text is built once per network,
// the first time the pair appears in the interval. The flush hands the counts to the day's
// tally (where the threshold of k distinct networks applies) and starts over. A query's name
// is never compressed, so its labels lie back to back from the first label's offset.

export class BlockedNameBuffer {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly hashes: Int32Array;
  private readonly counts: Int32Array;
  private readonly wireAt: Int32Array;
  private readonly wireLen: Int32Array;
  private readonly networks: Int32Array;
  private arena = new Uint8Array(64 * 1024);
  private arenaUsed = 0;
  private names: string[] = [];
  private used = 0;
  /** blocks of new names refused because the buffer was full (since the last drain) */
  dropped = 0;

  constructor(private readonly maxNames: number) {
    let size = 1024;
    while (size < maxNames * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.hashes = new Int32Array(maxNames);
    this.counts = new Int32Array(maxNames);
    this.wireAt = new Int32Array(maxNames);
    this.wireLen = new Int32Array(maxNames);
    this.networks = new Int32Array(maxNames);
  }

  /** One blocked query of network `networkId` for the wire name whose labels are at `offsets` in `buf`. */
  add(networkId: number, buf: Uint8Array, offsets: Int32Array, count: number): void {
    if (count === 0) return;
    const start = offsets[0];
    const last = offsets[count - 1];
    const end = last + buf[last] + 1;
    let h = Math.imul(0x811c9dc5 ^ networkId, 0x01000193);
    for (let i = start; i < end; i++) h = Math.imul(h ^ lowerByte(buf[i]), 0x01000193);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const e = slots[s];
      if (e === 0) {
        if (this.used < this.maxNames) slots[s] = this.insert(networkId, buf, start, end, h, offsets, count) + 1;
        else this.dropped++;
        return;
      }
      if (this.hashes[e - 1] === h && this.networks[e - 1] === networkId && this.same(e - 1, buf, start, end)) {
        this.counts[e - 1]++;
        return;
      }
    }
  }

  private insert(networkId: number, buf: Uint8Array, start: number, end: number, h: number, offsets: Int32Array, count: number): number {
    const len = end - start;
    if (this.arenaUsed + len > this.arena.length) {
      const bigger = new Uint8Array(this.arena.length * 2);
      bigger.set(this.arena);
      this.arena = bigger;
    }
    for (let i = 0; i < len; i++) this.arena[this.arenaUsed + i] = lowerByte(buf[start + i]);
    const idx = this.used++;
    this.hashes[idx] = h;
    this.networks[idx] = networkId;
    this.counts[idx] = 1;
    this.wireAt[idx] = this.arenaUsed;
    this.wireLen[idx] = len;
    this.arenaUsed += len;
    this.names.push(labelsToText(buf, offsets, count));
    return idx;
  }

  private same(idx: number, buf: Uint8Array, start: number, end: number): boolean {
    if (this.wireLen[idx] !== end - start) return false;
    const arena = this.arena;
    for (let i = start, k = this.wireAt[idx]; i < end; i++, k++) {
      const a = arena[k];
      const b = buf[i];
      if (a !== b && a !== lowerByte(b)) return false;
    }
    return true;
  }

  /** The counts since the last drain, by name and network, and an empty buffer. */
  drain(): Array<[name: string, networkId: number, count: number]> {
    const out: Array<[string, number, number]> = [];
    for (let i = 0; i < this.used; i++) out.push([this.names[i], this.networks[i], this.counts[i]]);
    this.slots.fill(0);
    this.used = 0;
    this.dropped = 0;
    this.arenaUsed = 0;
    this.names = [];
    return out;
  }
}
