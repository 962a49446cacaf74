import { encodeName, MAX_LABELS } from './wire.js';

/** V8's cost of one object with two typed arrays beside their bytes (measured with --expose-gc) */
const OBJECT_OVERHEAD = 320;

/**
 * A name as the matchers see it: wire bytes plus the offset of each label's length byte.
 * The hot path points this at the query packet itself (no copy); slow paths (the console's
 * domain tester, CNAME targets) build one from text with `fromText`.
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

  /** What this name costs in memory, for byte budgets. */
  get memoryBytes(): number {
    return OBJECT_OVERHEAD + this.buf.byteLength + this.labelOffsets.byteLength;
  }
}
