import { encodeName, lowerByte, MAX_LABELS } from './wire.js';

/** V8's cost of one object with two typed arrays beside their bytes (measured with --expose-gc) */
const OBJECT_OVERHEAD = 320;
/** a name is read into these, then copied out at its size (one allocation per array per name) */
const scratchBytes = new Uint8Array(256);
const scratchOffsets = new Int32Array(MAX_LABELS);

/**
 * A name as the matchers see it: wire bytes plus the offset of each label's length byte.
 * The hot path points this at the query packet itself (no copy); names that are kept build
 * their own, sized to the name: CNAME targets from the answer's bytes (`fromMessage`), the
 * console's domain tester from text (`fromText`).
 */
export class WireName {
  buf: Uint8Array = new Uint8Array(1);
  labelCount = 0;

  constructor(readonly labelOffsets = new Int32Array(MAX_LABELS)) {}

  /** Points at labels already located in a packet (the query parser's output). */
  setFromPacket(buf: Uint8Array, offsets: Int32Array, count: number): this {
    this.buf = buf;
    for (let i = 0; i < count; i++) this.labelOffsets[i] = offsets[i];
    this.labelCount = count;
    return this;
  }

  /**
   * Builds from presentation text; throws on an invalid name. The offsets array has just
   * the name's label count: such names are kept (in cache entries), and most are short.
   */
  static fromText(name: string): WireName {
    // a private copy: a small Buffer is a view of a shared 8 KiB pool slab, which a
    // long-lived name would keep alive
    const buf = new Uint8Array(encodeName(name.toLowerCase()));
    let count = 0;
    for (let off = 0; buf[off] !== 0; off += buf[off] + 1) count++;
    const w = new WireName(new Int32Array(count));
    w.buf = buf;
    for (let off = 0; buf[off] !== 0; off += buf[off] + 1) w.labelOffsets[w.labelCount++] = off;
    return w;
  }

  /**
   * Reads a possibly compressed name at `off` in a message (a CNAME target), lower-cased,
   * following at most 32 pointers; null if it is malformed or longer than 255 bytes. The
   * labels are kept as the wire has them: no trip through text and back.
   */
  static fromMessage(msg: Uint8Array, off: number, end: number): WireName | null {
    let len = 0;
    let count = 0;
    let hops = 0;
    while (off < end) {
      const l = msg[off];
      if (l === 0) {
        scratchBytes[len++] = 0;
        const w = new WireName(scratchOffsets.slice(0, count));
        w.buf = scratchBytes.slice(0, len);
        w.labelCount = count;
        return w;
      }
      if ((l & 0xc0) === 0xc0) {
        if (off + 1 >= end || ++hops > 32) return null;
        off = ((l & 0x3f) << 8) | msg[off + 1];
        continue;
      }
      if (l > 63 || off + 1 + l > end || len + l + 1 > 255) return null;
      scratchOffsets[count++] = len;
      scratchBytes[len++] = l;
      for (let k = off + 1; k <= off + l; k++) scratchBytes[len++] = lowerByte(msg[k]);
      off += l + 1;
    }
    return null;
  }

  /** What this name costs in memory, for byte budgets. */
  get memoryBytes(): number {
    return OBJECT_OVERHEAD + this.buf.byteLength + this.labelOffsets.byteLength;
  }
}
