import { labelsToText, lowerByte } from '../dns/wire.js';

// Blocked names as they arrive between two flushes, keyed by a hash of the wire labels:
// a name already seen since the last flush costs a hash and a byte compare, no string. Its
// text is built once, the first time it appears in the interval; the flush hands the counts
// to the day's tally (where the threshold k applies) and starts over.

interface Slot {
  wire: Uint8Array;
  name: string;
  count: number;
}

export class BlockedNameBuffer {
  private slots = new Map<number, Slot>();

  constructor(private readonly maxNames: number) {}

  /** One blocked query for the wire name at `offsets` in `buf`. */
  add(buf: Uint8Array, offsets: Int32Array, count: number): void {
    let h = 0x811c9dc5 | 0;
    let len = 0;
    for (let i = 0; i < count; i++) {
      const o = offsets[i];
      const end = o + buf[o];
      for (let k = o; k <= end; k++) h = Math.imul(h ^ lowerByte(buf[k]), 0x01000193);
      len += buf[o] + 1;
    }
    const key = (h >>> 1) & 0x3fffffff;
    const slot = this.slots.get(key);
    if (slot !== undefined && same(slot.wire, len, buf, offsets, count)) {
      slot.count++;
      return;
    }
    // a new name, or (rarely) another name with the same hash: the newcomer gets its own
    // entry under a probe key so neither is miscounted
    if (slot !== undefined) {
      this.addSlow(buf, offsets, count, len, key);
      return;
    }
    if (this.slots.size >= this.maxNames) return;
    this.slots.set(key, { wire: copyLower(buf, offsets, count, len), name: labelsToText(buf, offsets, count), count: 1 });
  }

  private addSlow(buf: Uint8Array, offsets: Int32Array, count: number, len: number, key: number): void {
    for (let probe = key + 1; ; probe = (probe + 1) & 0x3fffffff) {
      const s = this.slots.get(probe);
      if (s === undefined) {
        if (this.slots.size >= this.maxNames) return;
        this.slots.set(probe, { wire: copyLower(buf, offsets, count, len), name: labelsToText(buf, offsets, count), count: 1 });
        return;
      }
      if (same(s.wire, len, buf, offsets, count)) {
        s.count++;
        return;
      }
    }
  }

  /** The counts since the last drain, by name, and an empty buffer. */
  drain(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const s of this.slots.values()) out.push([s.name, s.count]);
    this.slots = new Map();
    return out;
  }
}

function same(wire: Uint8Array, len: number, buf: Uint8Array, offsets: Int32Array, count: number): boolean {
  if (wire.length !== len) return false;
  let p = 0;
  for (let i = 0; i < count; i++) {
    const o = offsets[i];
    const end = o + buf[o];
    for (let k = o; k <= end; k++) if (wire[p++] !== lowerByte(buf[k])) return false;
  }
  return true;
}

function copyLower(buf: Uint8Array, offsets: Int32Array, count: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let p = 0;
  for (let i = 0; i < count; i++) {
    const o = offsets[i];
    const end = o + buf[o];
    for (let k = o; k <= end; k++) out[p++] = lowerByte(buf[k]);
  }
  return out;
}
