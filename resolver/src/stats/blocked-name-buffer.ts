import { labelsToText, lowerByte } from '../dns/wire.js';

// Blocked names as they arrive between two flushes, keyed by a hash of the wire name: a name
// already seen since the last flush costs a hash and a byte compare, no string. Its text is
// built once, the first time it appears in the interval; the flush hands the counts to the
// day's tally (where the threshold k applies) and starts over. A query's name is never
// compressed, so its labels lie back to back from the first label's offset.

interface Slot {
  wire: Uint8Array;
  name: string;
  count: number;
}

export class BlockedNameBuffer {
  private slots = new Map<number, Slot>();

  constructor(private readonly maxNames: number) {}

  /** One blocked query for the wire name whose labels are at `offsets` in `buf`. */
  add(buf: Uint8Array, offsets: Int32Array, count: number): void {
    if (count === 0) return;
    const start = offsets[0];
    const last = offsets[count - 1];
    const end = last + buf[last] + 1;
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ lowerByte(buf[i]), 0x01000193);
    // linear probing over the key space: a name whose hash is taken gets the next free key
    for (let key = (h >>> 1) & 0x3fffffff; ; key = (key + 1) & 0x3fffffff) {
      const slot = this.slots.get(key);
      if (slot === undefined) {
        if (this.slots.size >= this.maxNames) return;
        const wire = new Uint8Array(end - start);
        for (let i = start; i < end; i++) wire[i - start] = lowerByte(buf[i]);
        this.slots.set(key, { wire, name: labelsToText(buf, offsets, count), count: 1 });
        return;
      }
      if (same(slot.wire, buf, start, end)) {
        slot.count++;
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

function same(wire: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (wire.length !== end - start) return false;
  for (let i = start; i < end; i++) {
    const a = wire[i - start];
    const b = buf[i];
    if (a !== b && a !== lowerByte(b)) return false;
  }
  return true;
}
