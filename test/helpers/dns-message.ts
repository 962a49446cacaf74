import { encodeName, readName, skipName, TYPE_A, TYPE_OPT, CLASS_IN } from '../../resolver/src/dns/wire.js';

// Building queries byte by byte and reading answers strictly, for tests that must control or
// inspect the exact bytes (malformed input, pipelining, header counts vs body). Everyday
// assertions go through kdig (dig.ts); this is the independent second reader.

export interface QueryOptions {
  id?: number;
  name: string;
  type?: number;
  qclass?: number;
  opcode?: number;
  /** recursion desired; default true */
  rd?: boolean;
  cd?: boolean;
  /** add an OPT record; default none */
  edns?: { udpSize?: number; do?: boolean; version?: number; options?: { code: number; data: Uint8Array }[] };
  /** repeat the question this many times (QDCOUNT follows) */
  questions?: number;
}

export function buildQuery(o: QueryOptions): Buffer {
  const id = o.id ?? Math.floor(Math.random() * 0x10000);
  const name = encodeName(o.name);
  const qcount = o.questions ?? 1;
  const question = Buffer.alloc(name.length + 4);
  name.copy(question);
  question.writeUInt16BE(o.type ?? TYPE_A, name.length);
  question.writeUInt16BE(o.qclass ?? CLASS_IN, name.length + 2);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(((o.opcode ?? 0) & 0xf) << 11 | (o.rd === false ? 0 : 0x0100) | (o.cd ? 0x0010 : 0), 2);
  header.writeUInt16BE(qcount, 4);
  header.writeUInt16BE(o.edns ? 1 : 0, 10);
  const parts: Buffer[] = [header];
  for (let i = 0; i < qcount; i++) parts.push(question);
  if (o.edns) parts.push(optRecord(o.edns));
  return Buffer.concat(parts);
}

function optRecord(e: NonNullable<QueryOptions['edns']>): Buffer {
  const opts = (e.options ?? []).map((op) => {
    const b = Buffer.alloc(4 + op.data.length);
    b.writeUInt16BE(op.code, 0);
    b.writeUInt16BE(op.data.length, 2);
    Buffer.from(op.data).copy(b, 4);
    return b;
  });
  const rdata = Buffer.concat(opts);
  const rr = Buffer.alloc(11);
  rr[0] = 0;
  rr.writeUInt16BE(TYPE_OPT, 1);
  rr.writeUInt16BE(e.udpSize ?? 1232, 3);
  rr[5] = 0;
  rr[6] = e.version ?? 0;
  rr.writeUInt16BE(e.do ? 0x8000 : 0, 7);
  rr.writeUInt16BE(rdata.length, 9);
  return Buffer.concat([rr, rdata]);
}

export interface WireRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Buffer;
  /** offset of the record's TTL field in the message */
  ttlOffset: number;
}

export interface WireMessage {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** header RCODE combined with the OPT extended bits */
  rcode: number;
  counts: { qd: number; an: number; ns: number; ar: number };
  questions: { name: string; type: number; class: number }[];
  answer: WireRecord[];
  authority: WireRecord[];
  /** additional records except the OPT */
  additional: WireRecord[];
  opt: { udpSize: number; do: boolean; version: number; options: { code: number; data: Buffer }[] } | null;
}

/**
 * Reads a whole message and insists that the header counts describe the body exactly: every
 * record present and nothing left over. Throws `dns-message: ...` otherwise.
 */
export function parseMessage(msg: Buffer): WireMessage {
  if (msg.length < 12) throw new Error(`dns-message: ${msg.length} bytes is shorter than a header`);
  const flags = msg.readUInt16BE(2);
  const counts = { qd: msg.readUInt16BE(4), an: msg.readUInt16BE(6), ns: msg.readUInt16BE(8), ar: msg.readUInt16BE(10) };
  let off = 12;
  const questions: WireMessage['questions'] = [];
  for (let i = 0; i < counts.qd; i++) {
    const name = readName(msg, off, msg.length);
    const end = skipName(msg, off, msg.length);
    if (name === null || end < 0 || end + 4 > msg.length) throw new Error(`dns-message: question ${i} is cut short`);
    questions.push({ name, type: msg.readUInt16BE(end), class: msg.readUInt16BE(end + 2) });
    off = end + 4;
  }
  const section = (count: number, label: string): WireRecord[] => {
    const out: WireRecord[] = [];
    for (let i = 0; i < count; i++) {
      const name = readName(msg, off, msg.length);
      const end = skipName(msg, off, msg.length);
      if (name === null || end < 0 || end + 10 > msg.length) throw new Error(`dns-message: ${label} record ${i} is cut short`);
      const rdlen = msg.readUInt16BE(end + 8);
      if (end + 10 + rdlen > msg.length) throw new Error(`dns-message: ${label} record ${i} RDATA runs past the end`);
      out.push({
        name,
        type: msg.readUInt16BE(end),
        class: msg.readUInt16BE(end + 2),
        ttl: msg.readUInt32BE(end + 4),
        rdata: msg.subarray(end + 10, end + 10 + rdlen),
        ttlOffset: end + 4,
      });
      off = end + 10 + rdlen;
    }
    return out;
  };
  const answer = section(counts.an, 'answer');
  const authority = section(counts.ns, 'authority');
  const additionalAll = section(counts.ar, 'additional');
  if (off !== msg.length) throw new Error(`dns-message: ${msg.length - off} bytes left after the last record`);
  const optRecords = additionalAll.filter((r) => r.type === TYPE_OPT);
  if (optRecords.length > 1) throw new Error('dns-message: more than one OPT record');
  let opt: WireMessage['opt'] = null;
  let extRcode = 0;
  if (optRecords.length === 1) {
    const r = optRecords[0];
    const options: { code: number; data: Buffer }[] = [];
    for (let p = 0; p < r.rdata.length;) {
      if (p + 4 > r.rdata.length) throw new Error('dns-message: OPT option header cut short');
      const len = r.rdata.readUInt16BE(p + 2);
      if (p + 4 + len > r.rdata.length) throw new Error('dns-message: OPT option runs past the RDATA');
      options.push({ code: r.rdata.readUInt16BE(p), data: r.rdata.subarray(p + 4, p + 4 + len) });
      p += 4 + len;
    }
    extRcode = r.ttl >>> 24;
    opt = { udpSize: r.class, do: (r.ttl & 0x8000) !== 0, version: (r.ttl >>> 16) & 0xff, options };
  }
  return {
    id: msg.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: (extRcode << 4) | (flags & 0xf),
    counts,
    questions,
    answer,
    authority,
    additional: additionalAll.filter((r) => r.type !== TYPE_OPT),
    opt,
  };
}
