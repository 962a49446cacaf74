import { describe, expect, it } from 'vitest';
import dns2 from 'dns2';
import {
  encodeName, labelsToText, ParsedQuery, ParseStatus, parseQuery, readName, readNameWire, skipName,
} from '../../resolver/src/dns/wire.js';
import { anyResponse, blockedResponse, errorResponse, truncatedResponse, upstreamQuery } from '../../resolver/src/dns/message-builders.js';
import { analyseResponse } from '../../resolver/src/dns/response-info.js';
import { copyAnswerRecords } from '../../resolver/src/dns/answer-copy.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';

const { Packet } = dns2;

function query(name: string, type = Packet.TYPE.A, edns = false, id = 0x1234): Buffer {
  const p = new Packet();
  p.header.id = id;
  p.header.rd = 1;
  p.questions.push({ name, type, class: Packet.CLASS.IN } as never);
  if (edns) p.additionals.push(Packet.Resource.EDNS([]) as never);
  return Buffer.from(p.toBuffer());
}

function parse(b: Buffer): { st: ParseStatus; q: ParsedQuery } {
  const q = new ParsedQuery();
  return { st: parseQuery(b, b.length, q), q };
}

describe('parseQuery', () => {
  it('reads ID, question, labels and EDNS', () => {
    const b = query('WWW.Example.org', Packet.TYPE.AAAA, true);
    const { st, q } = parse(b);
    expect(st).toBe(ParseStatus.Ok);
    expect(q.id).toBe(0x1234);
    expect(q.qtype).toBe(28);
    expect(q.qclass).toBe(1);
    expect(q.labelCount).toBe(3);
    expect(q.hasOpt).toBe(true);
    expect(labelsToText(b, q.labelOffsets, q.labelCount)).toBe('www.example.org');
  });

  it('drops what has no header and responses', () => {
    expect(parse(Buffer.alloc(11)).st).toBe(ParseStatus.Drop);
    const r = query('example.org');
    r[2] |= 0x80;
    expect(parse(r).st).toBe(ParseStatus.Drop);
  });

  it('FORMERR for QDCOUNT != 1, a truncated name, a compression pointer in the question', () => {
    const two = query('example.org');
    two[5] = 2;
    expect(parse(two).st).toBe(ParseStatus.FormErr);
    const cut = query('example.org').subarray(0, 20);
    expect(parse(Buffer.from(cut)).st).toBe(ParseStatus.FormErr);
    const ptr = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(parse(ptr).st).toBe(ParseStatus.FormErr);
    const zeroQd = query('example.org');
    zeroQd[5] = 0;
    expect(parse(zeroQd).st).toBe(ParseStatus.FormErr);
  });

  it('NOTIMP for an opcode other than QUERY', () => {
    const b = query('example.org');
    b[2] |= 2 << 3; // STATUS
    expect(parse(b).st).toBe(ParseStatus.NotImp);
  });

  it('BADVERS for EDNS version 1 and FORMERR for two OPT records', () => {
    const b = query('example.org', 1, true);
    b[b.length - 5] = 1; // OPT version byte
    expect(parse(b).st).toBe(ParseStatus.BadVers);
    const two = Buffer.concat([query('example.org', 1, true), Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0])]);
    two[11] = 2;
    expect(parse(two).st).toBe(ParseStatus.FormErr);
  });

  it('rejects a name longer than 255 bytes', () => {
    const labels = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
    const b = Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0, 0, 1, 0, 1])]);
    expect(parse(b).st).toBe(ParseStatus.FormErr);
  });
});

describe('name reading is bounded', () => {
  it('a pointer loop and a pointer chain bomb end quickly with null', () => {
    const loop = Buffer.from([0xc0, 0x00]);
    expect(readName(loop, 0, loop.length)).toBeNull();
    expect(readNameWire(loop, 0, loop.length)).toBeNull();
    // 2000 pointers each to the previous one
    const bomb = Buffer.alloc(4000);
    for (let i = 1; i < 2000; i++) { bomb[i * 2] = 0xc0 | ((i - 1) * 2 >> 8); bomb[i * 2 + 1] = ((i - 1) * 2) & 0xff; }
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) readName(bomb, 3998, bomb.length);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(readName(bomb, 3998, bomb.length)).toBeNull();
    expect(skipName(bomb, 3998, bomb.length)).toBe(4000);
    expect(WireName.fromMessage(loop, 0, loop.length)).toBeNull();
    expect(WireName.fromMessage(bomb, 3998, bomb.length)).toBeNull();
  });

  it('a CNAME target is read from the message as a lower-cased name sized to itself', () => {
    // "CDN.Example.NET" at 0, then "Edge" and a pointer to it
    const msg = Buffer.concat([encodeName('CDN.Example.NET'), Buffer.from([4, ...Buffer.from('Edge'), 0xc0, 0])]);
    const t = WireName.fromMessage(msg, 17, msg.length)!;
    expect(labelsToText(t.buf, t.labelOffsets, t.labelCount)).toBe('edge.cdn.example.net');
    expect(Buffer.from(t.buf)).toEqual(encodeName('edge.cdn.example.net'));
    // kept in cache entries: no room for 128 labels or 255 bytes per name
    expect(t.labelOffsets.length).toBe(4);
    expect(t.buf.byteLength).toBe(22);
    const long = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.from([60, ...Buffer.alloc(60, 0x61)])), Buffer.from([0])]);
    expect(WireName.fromMessage(long, 0, long.length)).toBeNull();
  });
});

describe('message builders', () => {
  it('errors echo the question and add OPT only when the query had one', () => {
    const b = query('example.org', 1, true);
    const { q } = parse(b);
    const r = errorResponse(b, q, 5);
    const p = Packet.parse(r);
    expect(p.header.id).toBe(0x1234);
    expect(p.header.qr).toBe(1);
    expect(p.header.rcode).toBe(5);
    expect(p.questions[0].name).toBe('example.org');
    expect(p.additionals).toHaveLength(1);
    const plain = query('example.org');
    const { q: q2 } = parse(plain);
    expect(Packet.parse(errorResponse(plain, q2, 2)).additionals).toHaveLength(0);
  });

  it('blocked NXDOMAIN carries an SOA whose minimum is the block TTL, with an EDE', () => {
    const b = query('bad.example.org', 1, true);
    const { q } = parse(b);
    const r = blockedResponse(b, q, true, [], 42, { code: 17, text: 'category: adult' });
    const info = analyseResponse(r)!;
    expect(info.rcode).toBe(3);
    expect(info.lifetime).toBe(42);
    expect(r.includes(Buffer.from('category: adult'))).toBe(true);
    expect(Packet.parse(r).authorities[0].type).toBe(6);
  });

  it('null and custom modes answer addresses of the asked family only', () => {
    const b = query('bad.example.org', Packet.TYPE.AAAA);
    const { q } = parse(b);
    const r = blockedResponse(b, q, false, [new Uint8Array(4), new Uint8Array(16)], 10, null);
    const p = Packet.parse(r);
    expect(p.answers).toHaveLength(1);
    expect(p.answers[0].type).toBe(28);
    const mx = query('bad.example.org', Packet.TYPE.MX);
    const { q: qm } = parse(mx);
    const nodata = Packet.parse(blockedResponse(mx, qm, false, [new Uint8Array(4)], 10, null));
    expect(nodata.header.rcode).toBe(0);
    expect(nodata.answers).toHaveLength(0);
    expect(nodata.authorities).toHaveLength(1);
  });

  it('ANY gets the RFC 8482 HINFO; TC answers keep counts consistent', () => {
    const b = query('example.org', 255);
    const { q } = parse(b);
    const a = anyResponse(b, q);
    expect(a.readUInt16BE(6)).toBe(1);
    expect(a.includes(Buffer.from('RFC8482'))).toBe(true);
    const t = truncatedResponse(b, q, 0);
    expect(t[2] & 0x02).toBe(2);
    expect(t.readUInt16BE(6) + t.readUInt16BE(8) + t.readUInt16BE(10)).toBe(0);
    expect(t.length).toBe(q.questionEnd);
  });

  it('upstream queries carry our OPT with the client DO bit and no client options', () => {
    const question = Buffer.concat([encodeName('example.org'), Buffer.from([0, 1, 0, 1])]);
    const u = upstreamQuery(question, true, false);
    const { st, q } = parse(u);
    expect(st).toBe(ParseStatus.Ok);
    expect(q.dnssecOk).toBe(true);
    expect(q.udpSize).toBe(1232);
    expect(q.optRdataLen).toBe(0);
  });
});

describe('response analysis', () => {
  function answer(): Buffer {
    const p = new Packet();
    Object.assign(p.header, { id: 7, qr: 1, rd: 1, ra: 1 });
    p.questions.push({ name: 'a.example.org', type: 1, class: 1 } as never);
    p.answers.push({ name: 'a.example.org', type: Packet.TYPE.CNAME, class: 1, ttl: 300, domain: 'b.example.net' } as never);
    p.answers.push({ name: 'b.example.net', type: Packet.TYPE.A, class: 1, ttl: 60, address: '192.0.2.1' } as never);
    p.additionals.push(Packet.Resource.EDNS([]) as never);
    return Buffer.from(p.toBuffer());
  }

  it('finds TTL offsets, lifetime, CNAME targets and the trailing OPT', () => {
    const r = answer();
    const info = analyseResponse(r)!;
    expect(info.lifetime).toBe(60);
    expect(Array.from(info.ttls)).toEqual([300, 60]);
    expect(info.cnameTargets!.map((t) => labelsToText(t.buf, t.labelOffsets, t.labelCount))).toEqual(['b.example.net']);
    expect(info.optLast).toBe(true);
    expect(info.optEnd).toBe(r.length);
  });

  it('rejects truncated answers and absurd counts', () => {
    const r = answer();
    expect(analyseResponse(r.subarray(0, r.length - 12))).toBeNull();
    const big = Buffer.from(r);
    big.writeUInt16BE(60000, 6);
    expect(analyseResponse(big)).toBeNull();
  });

  it('copies answer records with names decompressed', () => {
    const r = answer();
    const info = analyseResponse(r)!;
    const c = copyAnswerRecords(r, info.answerStart, info.answerCount, [45, 50])!;
    expect(c.count).toBe(2);
    // the TTLs written are the ones given (aged by the caller), not the message's
    expect(c.minTtl).toBe(45);
    expect(c.records.includes(Buffer.from([0, 0, 0, 45]))).toBe(true);
    expect(c.records.includes(Buffer.from([0, 0, 0, 50]))).toBe(true);
    expect(c.records.includes(encodeName('b.example.net'))).toBe(true);
  });
});
