import { encodeName, MAX_LABELS } from './wire.js';

/**
 * A name as the matchers see it: wire bytes plus the offset of each label's length byte.
 * The hot path points this at the query packet itself (no copy); slow paths (the console's
 * domain tester, CNAME targets) build one from text with `fromText`.
 */
export class WireName {
  buf: Uint8Array = new Uint8Array(1);
  readonly labelOffsets = new Int32Array(MAX_LABELS);
  labelCount = 0;

  /** Points at labels already located in a packet (the query parser's output). */
  setFromPacket(buf: Uint8Array, offsets: Int32Array, count: number): this {
    this.buf = buf;
    for (let i = 0; i < count; i++) this.labelOffsets[i] = offsets[i];
    this.labelCount = count;
    return this;
  }

  /** Builds from presentation text; throws on an invalid name. */
  static fromText(name: string): WireName {
    const w = new WireName();
    w.buf = encodeName(name.toLowerCase());
    let off = 0;
    while (w.buf[off] !== 0) {
      w.labelOffsets[w.labelCount++] = off;
      off += w.buf[off] + 1;
    }
    return w;
  }
}
