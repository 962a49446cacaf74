// Hand-written, bounds-checked reading of a DNS query from its bytes: the first thing every
// packet meets, so it never allocates, never throws and never trusts a length field.

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_CNAME = 5;
export const TYPE_SOA = 6;
export const TYPE_PTR = 12;
export const TYPE_HINFO = 13;
export const TYPE_MX = 15;
export const TYPE_TXT = 16;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
export const TYPE_OPT = 41;
export const TYPE_RRSIG = 46;
export const TYPE_HTTPS = 65;
export const TYPE_ANY = 255;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;
/** extended RCODE 16 (RFC 6891): upper 8 bits travel in the OPT TTL */
export const RCODE_BADVERS = 16;

export const OPCODE_QUERY = 0;
export const MAX_LABELS = 128;

/** What `parseQuery` returns. */
export const enum ParseStatus {
  Ok = 0,
  /** not even a header, or a response: nothing safe to answer */
  Drop = 1,
  FormErr = 2,
  NotImp = 3,
  BadVers = 4,
}

/**
 * The fields of one query. One instance per listener is reused for every packet, so the hot
 * path allocates nothing; copy out what must outlive the synchronous handling.
 */
export class ParsedQuery {
  id = 0;
  /** header bytes 2..3 as one number */
  flags = 0;
  opcode = 0;
  /** offset just past the question's root label */
  qnameEnd = 0;
  /** offset just past QTYPE/QCLASS; 0 when the question could not be read */
  questionEnd = 0;
  qtype = 0;
  qclass = 0;
  /** offsets of each label's length byte, left to right */
  readonly labelOffsets = new Int32Array(MAX_LABELS);
  labelCount = 0;
  hasOpt = false;
  /** client's advertised UDP payload size (512 without EDNS) */
  udpSize = 512;
  dnssecOk = false;
  ednsVersion = 0;
  /** OPT RDATA (the client's EDNS options) within the message */
  optRdataStart = 0;
  optRdataLen = 0;

  get recursionDesired(): boolean { return (this.flags & 0x0100) !== 0; }
  get checkingDisabled(): boolean { return (this.flags & 0x0010) !== 0; }
}

/**
 * Skips a possibly compressed name starting at `off`; returns the offset after it, or -1.
 * Pointers end a name, so skipping never follows them and costs O(name length).
 */
export function skipName(msg: Uint8Array, off: number, end: number): number {
  let total = 0;
  while (off < end) {
    const l = msg[off];
    if (l === 0) return off + 1;
    if ((l & 0xc0) === 0xc0) return off + 2 <= end ? off + 2 : -1;
    if ((l & 0xc0) !== 0) return -1; // 0x40/0x80 label types are obsolete
    total += l + 1;
    if (total > 255) return -1;
    off += l + 1;
  }
  return -1;
}

/** Skips one resource record; returns the offset after it, or -1. */
export function skipRecord(msg: Uint8Array, off: number, end: number): number {
  off = skipName(msg, off, end);
  if (off < 0 || off + 10 > end) return -1;
  const rdlen = (msg[off + 8] << 8) | msg[off + 9];
  off += 10 + rdlen;
  return off <= end ? off : -1;
}

/** Reads the query in `msg[0..len)` into `q`. */
export function parseQuery(msg: Uint8Array, len: number, q: ParsedQuery): ParseStatus {
  q.questionEnd = 0;
  q.labelCount = 0;
  q.hasOpt = false;
  q.udpSize = 512;
  q.dnssecOk = false;
  q.ednsVersion = 0;
  q.optRdataLen = 0;
  if (len < 12) return ParseStatus.Drop;
  q.id = (msg[0] << 8) | msg[1];
  q.flags = (msg[2] << 8) | msg[3];
  if (q.flags & 0x8000) return ParseStatus.Drop; // a response: answering it could loop
  q.opcode = (q.flags >> 11) & 0xf;
  const qd = (msg[4] << 8) | msg[5];
  const an = (msg[6] << 8) | msg[7];
  const ns = (msg[8] << 8) | msg[9];
  const ar = (msg[10] << 8) | msg[11];
  if (qd !== 1) return q.opcode === OPCODE_QUERY ? ParseStatus.FormErr : ParseStatus.NotImp;

  // question name: uncompressed, labels <= 63, whole name <= 255
  let off = 12;
  let total = 1;
  for (;;) {
    if (off >= len) return ParseStatus.FormErr;
    const l = msg[off];
    if (l === 0) break;
    if (l > 63) return ParseStatus.FormErr;
    if (q.labelCount === MAX_LABELS) return ParseStatus.FormErr;
    total += l + 1;
    if (total > 255) return ParseStatus.FormErr;
    q.labelOffsets[q.labelCount++] = off;
    off += l + 1;
  }
  q.qnameEnd = off + 1;
  if (q.qnameEnd + 4 > len) return ParseStatus.FormErr;
  q.qtype = (msg[q.qnameEnd] << 8) | msg[q.qnameEnd + 1];
  q.qclass = (msg[q.qnameEnd + 2] << 8) | msg[q.qnameEnd + 3];
  q.questionEnd = q.qnameEnd + 4;
  if (q.opcode !== OPCODE_QUERY) return ParseStatus.NotImp;

  // answer/authority are unusual in a query; skip them (bounded) to reach the OPT record
  off = q.questionEnd;
  for (let i = 0; i < an + ns; i++) {
    off = skipRecord(msg, off, len);
    if (off < 0) return ParseStatus.FormErr;
  }
  for (let i = 0; i < ar; i++) {
    const start = off;
    off = skipRecord(msg, off, len);
    if (off < 0) return ParseStatus.FormErr;
    // OPT: root owner name (one zero byte), type 41
    if (msg[start] === 0 && ((msg[start + 1] << 8) | msg[start + 2]) === TYPE_OPT) {
      if (q.hasOpt) return ParseStatus.FormErr; // RFC 6891 6.1.1: more than one OPT
      q.hasOpt = true;
      const size = (msg[start + 3] << 8) | msg[start + 4];
      q.udpSize = size < 512 ? 512 : size;
      q.ednsVersion = msg[start + 6];
      q.dnssecOk = (msg[start + 7] & 0x80) !== 0;
      q.optRdataStart = start + 11;
      q.optRdataLen = (msg[start + 9] << 8) | msg[start + 10];
    }
  }
  if (q.hasOpt && q.ednsVersion !== 0) return ParseStatus.BadVers;
  return ParseStatus.Ok;
}

/** ASCII lower-casing of one byte (DNS names compare case-insensitively, RFC 4343). */
export function lowerByte(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** One label's bytes as lower-case presentation text, escaping what is not plain ASCII. */
function labelText(msg: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let k = start; k < end; k++) {
    const c = lowerByte(msg[k]);
    s += c === 0x2e || c === 0x5c || c < 0x21 || c > 0x7e ? `\\${String(c).padStart(3, '0')}` : String.fromCharCode(c);
  }
  return s;
}

/** Presentation form ("www.example.org") of labels located in `buf`, for the slow paths only. */
export function labelsToText(buf: Uint8Array, offsets: Int32Array, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) {
    const o = offsets[i];
    if (i) s += '.';
    s += labelText(buf, o + 1, o + 1 + buf[o]);
  }
  return s;
}

/**
 * Reads a possibly compressed name at `off` as lower-case presentation text, following at
 * most 32 pointers (a pointer loop or a bomb costs microseconds, not seconds). null if bad.
 */
export function readName(msg: Uint8Array, off: number, end: number): string | null {
  let s = '';
  let hops = 0;
  let total = 0;
  while (off < end) {
    const l = msg[off];
    if (l === 0) return s;
    if ((l & 0xc0) === 0xc0) {
      if (off + 1 >= end || ++hops > 32) return null;
      off = ((l & 0x3f) << 8) | msg[off + 1];
      continue;
    }
    if (l > 63 || off + 1 + l > end) return null;
    total += l + 1;
    if (total > 255) return null;
    if (s) s += '.';
    s += labelText(msg, off + 1, off + 1 + l);
    off += l + 1;
  }
  return null;
}

/** Wire form of a presentation name ("example.org" -> 7example3org0). Throws on bad input. */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return Buffer.from([0]);
  const labels = trimmed.split('.');
  const parts: number[] = [];
  for (const label of labels) {
    const b = Buffer.from(label, 'latin1');
    if (b.length === 0 || b.length > 63) throw new Error(`wire: bad label in "${name}"`);
    parts.push(b.length, ...b);
  }
  parts.push(0);
  if (parts.length > 255) throw new Error(`wire: name too long "${name}"`);
  return Buffer.from(parts);
}

/** Like `readName`, but returns the uncompressed wire form (case kept). null if bad. */
export function readNameWire(msg: Uint8Array, off: number, end: number): Buffer | null {
  const out: number[] = [];
  let hops = 0;
  while (off < end) {
    const l = msg[off];
    if (l === 0) {
      out.push(0);
      return Buffer.from(out);
    }
    if ((l & 0xc0) === 0xc0) {
      if (off + 1 >= end || ++hops > 32) return null;
      off = ((l & 0x3f) << 8) | msg[off + 1];
      continue;
    }
    if (l > 63 || off + 1 + l > end || out.length + l + 2 > 255) return null;
    for (let k = off; k <= off + l; k++) out.push(msg[k]);
    off += l + 1;
  }
  return null;
}
