import { CLASS_IN, type ParsedQuery, RCODE_BADVERS, TYPE_A, TYPE_AAAA, TYPE_CNAME, TYPE_HINFO, TYPE_OPT, TYPE_SOA } from './wire.js';

// Answers Nestguard writes itself (errors, blocks, RFC 8482, truncation): built by hand into
// one right-sized Buffer, because these run per query (a blocked query must cost about what a
// cache hit costs) and dns2's encoder is two orders of magnitude slower.

/** RFC 8914 Extended DNS Error info codes used here. */
export const EDE_BLOCKED = 15;
export const EDE_FILTERED = 17;
export const EDE_STALE_ANSWER = 3;
export const EDE_NETWORK_ERROR = 23;
export const EDE_NOT_AUTHORITATIVE = 20;

export interface Ede {
  code: number;
  text: string;
}

/** Our advertised UDP payload size in every OPT we write (DNS flag day 2020). */
export const OUR_UDP_SIZE = 1232;

const OPT_FIXED = 11;

function optLength(ede: Ede | null): number {
  return OPT_FIXED + (ede ? 6 + Buffer.byteLength(ede.text) : 0);
}

/** Writes an OPT RR at `off`; returns the offset after it. */
function writeOpt(b: Buffer, off: number, dnssecOk: boolean, extRcode: number, ede: Ede | null): number {
  b[off] = 0; // root owner
  b.writeUInt16BE(TYPE_OPT, off + 1);
  b.writeUInt16BE(OUR_UDP_SIZE, off + 3);
  b[off + 5] = extRcode;
  b[off + 6] = 0; // version
  b[off + 7] = dnssecOk ? 0x80 : 0;
  b[off + 8] = 0;
  if (!ede) {
    b.writeUInt16BE(0, off + 9);
    return off + OPT_FIXED;
  }
  const textLen = Buffer.byteLength(ede.text);
  b.writeUInt16BE(6 + textLen, off + 9);
  b.writeUInt16BE(15, off + 11); // option code: Extended DNS Error
  b.writeUInt16BE(2 + textLen, off + 13);
  b.writeUInt16BE(ede.code, off + 15);
  b.write(ede.text, off + 17);
  return off + OPT_FIXED + 6 + textLen;
}

/**
 * Header of a reply to `q`: ID, QR, the query's opcode, RD and CD echoed, RA set.
 * `rcode` may be extended (> 15): its upper bits go in the OPT record.
 */
function writeHeader(b: Buffer, msg: Uint8Array, q: ParsedQuery, rcode: number, an: number, ns: number, ar: number, tc = false): void {
  b[0] = msg[0];
  b[1] = msg[1];
  b[2] = 0x80 | (q.opcode << 3) | (tc ? 0x02 : 0) | (msg[2] & 0x01);
  b[3] = 0x80 | (msg[3] & 0x10) | (rcode & 0x0f);
  b.writeUInt16BE(q.questionEnd ? 1 : 0, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
}

/** Copies the client's question (case as sent: RFC 4343 / 0x20 echo). */
function writeQuestion(b: Buffer, msg: Uint8Array, q: ParsedQuery): number {
  if (!q.questionEnd) return 12;
  b.set(msg.subarray(12, q.questionEnd), 12);
  return q.questionEnd;
}

/** A reply carrying only an RCODE: FORMERR, SERVFAIL, NOTIMP, REFUSED, BADVERS. */
export function errorResponse(msg: Uint8Array, q: ParsedQuery, rcode: number, ede: Ede | null = null): Buffer {
  const qlen = q.questionEnd ? q.questionEnd - 12 : 0;
  const withOpt = q.hasOpt || rcode === RCODE_BADVERS;
  const b = Buffer.allocUnsafe(12 + qlen + (withOpt ? optLength(ede) : 0));
  writeHeader(b, msg, q, rcode, 0, 0, withOpt ? 1 : 0);
  const off = writeQuestion(b, msg, q);
  if (withOpt) writeOpt(b, off, q.dnssecOk, rcode >> 4, ede);
  return b;
}

/** The reply to an oversized UDP answer: TC=1, question echoed, no records (RFC 2181 9). */
export function truncatedResponse(msg: Uint8Array, q: ParsedQuery, rcode: number): Buffer {
  const b = errorResponse(msg, q, rcode);
  b[2] |= 0x02;
  return b;
}

const HINFO_RFC8482 = Buffer.from([7, ...Buffer.from('RFC8482'), 0]);

/** RFC 8482: answer ANY with one synthesised HINFO instead of every RRset. */
export function anyResponse(msg: Uint8Array, q: ParsedQuery): Buffer {
  const rr = 2 + 10 + HINFO_RFC8482.length;
  const b = Buffer.allocUnsafe(q.questionEnd + rr + (q.hasOpt ? OPT_FIXED : 0));
  writeHeader(b, msg, q, 0, 1, 0, q.hasOpt ? 1 : 0);
  let off = writeQuestion(b, msg, q);
  off = writeRecordHead(b, off, TYPE_HINFO, 3600, HINFO_RFC8482.length);
  b.set(HINFO_RFC8482, off);
  off += HINFO_RFC8482.length;
  if (q.hasOpt) writeOpt(b, off, q.dnssecOk, 0, null);
  return b;
}

/** Owner = pointer to the question name (offset 12), then type, class IN, TTL, RDLENGTH. */
function writeRecordHead(b: Buffer, off: number, type: number, ttl: number, rdlen: number): number {
  b[off] = 0xc0;
  b[off + 1] = 12;
  b.writeUInt16BE(type, off + 2);
  b.writeUInt16BE(CLASS_IN, off + 4);
  b.writeUInt32BE(ttl >>> 0, off + 6);
  b.writeUInt16BE(rdlen, off + 10);
  return off + 12;
}

const SOA_MNAME = Buffer.from('\x09nestguard\x07invalid\x00', 'latin1');
const SOA_RNAME = Buffer.from('\x0ahostmaster\x09nestguard\x07invalid\x00', 'latin1');
const SOA_RDLEN = SOA_MNAME.length + SOA_RNAME.length + 20;

function writeSoa(b: Buffer, off: number, ttl: number): number {
  off = writeRecordHead(b, off, TYPE_SOA, ttl, SOA_RDLEN);
  b.set(SOA_MNAME, off);
  off += SOA_MNAME.length;
  b.set(SOA_RNAME, off);
  off += SOA_RNAME.length;
  b.writeUInt32BE(1, off); // serial
  b.writeUInt32BE(3600, off + 4); // refresh
  b.writeUInt32BE(600, off + 8); // retry
  b.writeUInt32BE(86400, off + 12); // expire
  b.writeUInt32BE(ttl >>> 0, off + 16); // minimum: negative-caching TTL (RFC 2308)
  return off + 20;
}

/**
 * A synthesised blocked answer. `addresses` (4- or 16-byte) become A/AAAA records when the
 * query type matches; otherwise the answer is NXDOMAIN (`nxdomain`) or NODATA, both with an
 * SOA so resolvers downstream cache the negative answer for `ttl` seconds.
 */
export function blockedResponse(msg: Uint8Array, q: ParsedQuery, nxdomain: boolean, addresses: readonly Uint8Array[], ttl: number, ede: Ede | null): Buffer {
  const want = q.qtype === TYPE_A ? 4 : q.qtype === TYPE_AAAA ? 16 : 0;
  let count = 0;
  if (want) for (const a of addresses) if (a.length === want) count++;
  const records = count ? count * (12 + want) : 12 + SOA_RDLEN;
  const b = Buffer.allocUnsafe(q.questionEnd + records + (q.hasOpt ? optLength(ede) : 0));
  const rcode = count === 0 && nxdomain ? 3 : 0;
  writeHeader(b, msg, q, rcode, count, count ? 0 : 1, q.hasOpt ? 1 : 0);
  let off = writeQuestion(b, msg, q);
  if (count) {
    for (const a of addresses) {
      if (a.length !== want) continue;
      off = writeRecordHead(b, off, q.qtype, ttl, want);
      b.set(a, off);
      off += want;
    }
  } else {
    off = writeSoa(b, off, ttl);
  }
  if (q.hasOpt) writeOpt(b, off, q.dnssecOk, 0, ede);
  return b;
}

/**
 * Safe-search answer: a CNAME from the question name to `target` (wire form), followed by
 * `records` (already encoded RRs with uncompressed owners, the target's own answer).
 */
export function cnameResponse(msg: Uint8Array, q: ParsedQuery, target: Uint8Array, ttl: number, records: Buffer, recordCount: number, rcode: number): Buffer {
  const b = Buffer.allocUnsafe(q.questionEnd + 12 + target.length + records.length + (q.hasOpt ? OPT_FIXED : 0));
  writeHeader(b, msg, q, rcode, 1 + recordCount, 0, q.hasOpt ? 1 : 0);
  let off = writeQuestion(b, msg, q);
  off = writeRecordHead(b, off, TYPE_CNAME, ttl, target.length);
  b.set(target, off);
  off += target.length;
  records.copy(b, off);
  off += records.length;
  if (q.hasOpt) writeOpt(b, off, q.dnssecOk, 0, null);
  return b;
}

/** An OPT record (no options, or one EDE) to append to an upstream answer that lacked one. */
export function bareOpt(dnssecOk: boolean, ede: Ede | null = null): Buffer {
  const b = Buffer.allocUnsafe(optLength(ede));
  writeOpt(b, 0, dnssecOk, 0, ede);
  return b;
}

/**
 * `resp` (whose last record is its OPT, starting at `optStart`) with an EDE option added to
 * that OPT: a new Buffer, the records before it untouched.
 */
export function withEdeOption(resp: Uint8Array, optStart: number, ede: Ede): Buffer {
  const textLen = Buffer.byteLength(ede.text);
  const b = Buffer.allocUnsafe(resp.length + 6 + textLen);
  b.set(resp, 0);
  // the OPT owner is the root (one zero byte): RDLENGTH sits 9 bytes into the record
  const rdlenOff = optStart + 9;
  b.writeUInt16BE(((resp[rdlenOff] << 8) | resp[rdlenOff + 1]) + 6 + textLen, rdlenOff);
  let off = resp.length;
  b.writeUInt16BE(15, off); // option code: Extended DNS Error
  b.writeUInt16BE(2 + textLen, off + 2);
  b.writeUInt16BE(ede.code, off + 4);
  off += 6;
  b.write(ede.text, off);
  return b;
}

/**
 * The query Nestguard sends upstream for a question: RD, the client's CD, our own OPT with
 * the client's DO bit. Client EDNS options are not forwarded: Client Subnet would leak the
 * child's network to a third party and cookies belong to the client-server pair.
 */
export function upstreamQuery(question: Uint8Array, dnssecOk: boolean, checkingDisabled: boolean): Buffer {
  const b = Buffer.allocUnsafe(12 + question.length + OPT_FIXED);
  b.writeUInt16BE(0, 0);
  b[2] = 0x01; // RD
  b[3] = checkingDisabled ? 0x10 : 0;
  b.writeUInt16BE(1, 4);
  b.writeUInt16BE(0, 6);
  b.writeUInt16BE(0, 8);
  b.writeUInt16BE(1, 10);
  b.set(question, 12);
  writeOpt(b, 12 + question.length, dnssecOk, 0, null);
  return b;
}

/** An answer of `rdatas`, each a record of `type` owned by the question name. */
export function recordsResponse(msg: Uint8Array, q: ParsedQuery, type: number, ttl: number, rdatas: readonly Uint8Array[]): Buffer {
  let size = q.questionEnd + (q.hasOpt ? OPT_FIXED : 0);
  for (const r of rdatas) size += 12 + r.length;
  const b = Buffer.allocUnsafe(size);
  writeHeader(b, msg, q, 0, rdatas.length, 0, q.hasOpt ? 1 : 0);
  let off = writeQuestion(b, msg, q);
  for (const r of rdatas) {
    off = writeRecordHead(b, off, type, ttl, r.length);
    b.set(r, off);
    off += r.length;
  }
  if (q.hasOpt) writeOpt(b, off, q.dnssecOk, 0, null);
  return b;
}
