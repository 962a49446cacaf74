import { readNameWire, skipName } from './wire.js';

/** types whose RDATA is a single (possibly compressed) name: NS, CNAME, PTR, DNAME */
const NAME_RDATA = new Set([2, 5, 12, 39]);

// Copies the answer records of one message into another (safe search: the enforced host's
// addresses answer the original question). Names inside a message are compressed against
// that message's offsets, so owners and name-valued RDATA are rewritten uncompressed.

export interface CopiedAnswer {
  records: Buffer;
  count: number;
  minTtl: number;
}

/** `ttls[i]` is written as the TTL of answer record i (aged and clamped by the caller). */
export function copyAnswerRecords(resp: Uint8Array, answerStart: number, answerCount: number, ttls: ArrayLike<number>): CopiedAnswer | null {
  const len = resp.length;
  const parts: Buffer[] = [];
  let off = answerStart;
  let minTtl = 0x7fffffff;
  for (let i = 0; i < answerCount; i++) {
    const owner = readNameWire(resp, off, len);
    off = skipName(resp, off, len);
    if (owner === null || off < 0 || off + 10 > len) return null;
    const type = (resp[off] << 8) | resp[off + 1];
    const rdlen = (resp[off + 8] << 8) | resp[off + 9];
    const fixed = Buffer.from(resp.subarray(off, off + 10));
    const rdStart = off + 10;
    off = rdStart + rdlen;
    if (off > len) return null;
    const ttl = ttls[i];
    fixed.writeUInt32BE(ttl, 4);
    if (ttl < minTtl) minTtl = ttl;
    let rdata: Buffer;
    if (NAME_RDATA.has(type)) {
      const target = readNameWire(resp, rdStart, len);
      if (target === null) return null;
      rdata = target;
      fixed.writeUInt16BE(rdata.length, 8);
    } else {
      rdata = Buffer.from(resp.subarray(rdStart, off));
    }
    parts.push(owner, fixed, rdata);
  }
  return { records: Buffer.concat(parts), count: answerCount, minTtl: answerCount ? minTtl : 0 };
}
