import { lowerByte } from '../dns/wire.js';

/**
 * Offset just past the single question of a query message, or -1 when the message has no
 * readable single question (it cannot be forwarded: no answer could be matched to it).
 */
export function questionEnd(query: Uint8Array): number {
  if (query.length < 12 || ((query[4] << 8) | query[5]) !== 1) return -1;
  // the first question's name cannot be compressed: plain labels up to the root
  let off = 12;
  while (off < query.length) {
    const l = query[off];
    if (l === 0) return off + 5 <= query.length ? off + 5 : -1;
    if (l > 63 || off - 12 + l + 1 > 255) return -1;
    off += l + 1;
  }
  return -1;
}

/**
 * Whether `resp` answers the question in `query[12..qEnd)`: a response (QR=1) with exactly that
 * one question, the name compared case-insensitively (RFC 4343), type and class exactly.
 * The ID is the transport's business: each one puts its own on the wire.
 */
export function answersQuestion(resp: Uint8Array, query: Uint8Array, qEnd: number): boolean {
  if (resp.length < qEnd || (resp[2] & 0x80) === 0 || resp[4] !== 0 || resp[5] !== 1) return false;
  const typeAt = qEnd - 4;
  for (let i = 12; i < typeAt; i++) {
    if (resp[i] !== query[i] && lowerByte(resp[i]) !== lowerByte(query[i])) return false;
  }
  for (let i = typeAt; i < qEnd; i++) if (resp[i] !== query[i]) return false;
  return true;
}
