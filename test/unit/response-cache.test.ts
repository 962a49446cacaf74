import { describe, expect, it } from 'vitest';
import { answerFromEntry } from '../../resolver/src/cache/cached-answer.js';
import { lowerQuestion } from '../../resolver/src/cache/question-key.js';
import { ResponseCache } from '../../resolver/src/cache/response-cache.js';
import { analyseResponse } from '../../resolver/src/dns/response-info.js';
import { encodeName, ParsedQuery, parseQuery } from '../../resolver/src/dns/wire.js';

// The cache's own contract, without sockets: bounded, case-insensitive on the name only,
// TTLs aged and clamped, stale entries kept for the window and then dropped.

function queryFor(name: string, type = 1, id = 0x4242): Buffer {
  return Buffer.concat([Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), encodeName(name), Buffer.from([type >> 8, type & 0xff, 0, 1])]);
}

/** a positive answer: one record of the asked type */
function answerFor(q: Buffer, ttl: number): Buffer {
  const a = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1]);
  q.copy(a, 2, q.length - 4, q.length - 2);
  a.writeUInt32BE(ttl, 6);
  const r = Buffer.concat([q, a]);
  r[2] = 0x81;
  r[3] = 0x80;
  r.writeUInt16BE(1, 6);
  return r;
}

/** one record: owner as a pointer to the question name or as a full name */
function rr(owner: string | null, type: number, ttl: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(1, 2);
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner === null ? Buffer.from([0xc0, 12]) : encodeName(owner), head, rdata]);
}

function soa(ttl: number, minimum: number): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32BE(1, 0);
  fixed.writeUInt32BE(minimum, 16);
  return rr('example.org', 6, ttl, Buffer.concat([encodeName('ns.example.org'), encodeName('host.example.org'), fixed]));
}

/** an answer to `q` with these sections, AA=1 and RA=0 as an authoritative server sends it */
function message(q: Buffer, rcode: number, answer: Buffer[], authority: Buffer[]): Buffer {
  const r = Buffer.concat([q, ...answer, ...authority]);
  r[2] = 0x85;
  r[3] = rcode;
  r.writeUInt16BE(answer.length, 6);
  r.writeUInt16BE(authority.length, 8);
  return r;
}

function cache(maxEntries = 100) {
  return new ResponseCache({ maxEntries, maxBytes: 1 << 24, minTtl: 0, maxTtl: 3600, negativeMaxTtl: 600, staleWindowS: 60 });
}

function put(c: ResponseCache, name: string, ttl: number, now: number) {
  const q = queryFor(name);
  const resp = answerFor(q, ttl);
  return c.store(lowerQuestion(q, 12, q.length), false, false, resp, analyseResponse(resp)!, now);
}

function get(c: ResponseCache, name: string, now: number, type = 1) {
  const q = queryFor(name, type);
  return c.find(q, 12, q.length, false, false, now);
}

describe('ResponseCache', () => {
  it('finds names case-insensitively but never confuses types whose bytes look like letters', () => {
    const c = cache();
    put(c, 'www.example.org', 300, 0);
    expect(get(c, 'WWW.Example.ORG', 1000)).not.toBeNull();
    // type 65 (HTTPS) is byte 0x41, "A": it must not fold into type 97
    const q65 = queryFor('x.example.org', 65);
    const resp = answerFor(q65, 300);
    c.store(lowerQuestion(q65, 12, q65.length), false, false, resp, analyseResponse(resp)!, 0);
    expect(get(c, 'x.example.org', 1000, 65)).not.toBeNull();
    expect(get(c, 'x.example.org', 1000, 97)).toBeNull();
  });

  it('stays within max_entries, evicting the least recently used', () => {
    const c = cache(3);
    put(c, 'a.example.org', 300, 0);
    put(c, 'b.example.org', 300, 0);
    put(c, 'c.example.org', 300, 0);
    expect(get(c, 'a.example.org', 5000)).not.toBeNull(); // a is used again, b is now the oldest
    put(c, 'd.example.org', 300, 6000);
    expect(c.size).toBe(3);
    expect(get(c, 'b.example.org', 7000)).toBeNull();
    expect(get(c, 'a.example.org', 7000)).not.toBeNull();
    expect(get(c, 'd.example.org', 7000)).not.toBeNull();
  });

  it('takes new limits and TTL rules on a reload, keeping the most recently used entries', () => {
    const c = cache(10);
    for (const n of ['a', 'b', 'c', 'd', 'e']) put(c, `${n}.example.org`, 300, 0);
    expect(get(c, 'a.example.org', 2000)).not.toBeNull(); // a is the most recent now, b the oldest
    c.reconfigure({ maxEntries: 3, maxBytes: 1 << 24, minTtl: 0, maxTtl: 60, negativeMaxTtl: 600, staleWindowS: 60 });
    expect(c.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].filter((n) => get(c, `${n}.example.org`, 3000) !== null)).toEqual(['a', 'd', 'e']);
    put(c, 'f.example.org', 300, 4000);
    expect(c.size).toBe(3);
    expect(get(c, 'f.example.org', 4000)!.expiresAt).toBe(4000 + 60_000); // the new max_ttl
  });

  it('ages TTLs on each answer and serves stale only inside the window', () => {
    const c = cache();
    const e = put(c, 'ttl.example.org', 100, 0);
    const q = queryFor('TTL.example.org', 1, 0x0102);
    const pq = new ParsedQuery();
    parseQuery(q, q.length, pq);
    const r = answerFromEntry(e, q, pq, 40_500, 512, false, 0);
    expect(r.readUInt16BE(0)).toBe(0x0102);
    expect(r.subarray(12, pq.qnameEnd).toString('latin1')).toContain('TTL');
    expect(r.readUInt32BE(r.length - 10)).toBe(60);
    expect(get(c, 'ttl.example.org', 150_000)).not.toBeNull(); // expired, inside the 60 s window
    expect(get(c, 'ttl.example.org', 161_000)).toBeNull();
    expect(c.size).toBe(0);
  });

  it('clamps to max_ttl and does not cache a zero TTL', () => {
    const c = new ResponseCache({ maxEntries: 10, maxBytes: 1 << 20, minTtl: 0, maxTtl: 50, negativeMaxTtl: 10, staleWindowS: 0 });
    const e = put(c, 'long.example.org', 86_400, 0);
    expect(e.expiresAt).toBe(50_000);
    put(c, 'zero.example.org', 0, 0);
    expect(get(c, 'zero.example.org', 0)).toBeNull();
  });

  it('serves the OPT only to EDNS clients, from one shared buffer, with ARCOUNT right each time', () => {
    const c = cache();
    const q = queryFor('edns.example.org');
    const opt = Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]);
    const resp = Buffer.concat([answerFor(q, 300), opt]);
    resp.writeUInt16BE(1, 10);
    const e = c.store(lowerQuestion(q, 12, q.length), false, false, resp, analyseResponse(resp)!, 0);
    const plain = new ParsedQuery();
    parseQuery(q, q.length, plain);
    const qOpt = Buffer.concat([q, opt]);
    qOpt.writeUInt16BE(1, 10);
    const withOpt = new ParsedQuery();
    parseQuery(qOpt, qOpt.length, withOpt);
    for (let i = 0; i < 2; i++) {
      const a = answerFromEntry(e, q, plain, 1000, 512, true, 0);
      expect(a.readUInt16BE(10)).toBe(0);
      expect(a.length).toBe(resp.length - opt.length);
      expect(analyseResponse(a)!.optStart).toBe(-1);
      const b = answerFromEntry(e, qOpt, withOpt, 1000, 1232, true, 0);
      expect(b.readUInt16BE(10)).toBe(1);
      expect(analyseResponse(b)!.optLast).toBe(true);
    }
  });

  it('keeps an NXDOMAIN for min(SOA TTL, SOA MINIMUM, negative_max_ttl) and serves the SOA with no more TTL than that', () => {
    const c = cache(); // negativeMaxTtl 600
    const q = queryFor('gone.example.org');
    const resp = message(q, 3, [], [soa(3600, 900)]);
    const e = c.store(lowerQuestion(q, 12, q.length), false, false, resp, analyseResponse(resp)!, 0);
    expect(e.expiresAt).toBe(600_000);
    expect(get(c, 'gone.example.org', 599_000)).toBe(e);
    const pq = new ParsedQuery();
    parseQuery(q, q.length, pq);
    const r = answerFromEntry(e, q, pq, 100_000, 512, false, 0);
    expect(r[3] & 0x0f).toBe(3);
    const info = analyseResponse(r)!;
    expect(r.readUInt32BE(info.ttlOffsets[0])).toBe(500);
  });

  it('does not cache an NXDOMAIN after a CNAME longer than the CNAME lives (RFC 2308 2.1)', () => {
    const c = cache();
    const q = queryFor('alias.example.org');
    const resp = message(q, 3, [rr(null, 5, 30, encodeName('gone.example.net'))], [soa(3600, 900)]);
    const e = c.store(lowerQuestion(q, 12, q.length), false, false, resp, analyseResponse(resp)!, 0);
    expect(e.expiresAt).toBe(30_000);
  });

  it('treats NODATA after a CNAME as a negative answer (RFC 2308 2.2)', () => {
    const c = new ResponseCache({ maxEntries: 10, maxBytes: 1 << 20, minTtl: 0, maxTtl: 3600, negativeMaxTtl: 20, staleWindowS: 0 });
    const q = queryFor('alias.example.org', 28);
    const resp = message(q, 0, [rr(null, 5, 300, encodeName('v4only.example.net'))], [soa(3600, 900)]);
    const info = analyseResponse(resp)!;
    expect(info.negative).toBe(true);
    const e = c.store(lowerQuestion(q, 12, q.length), false, false, resp, info, 0);
    expect(e.expiresAt).toBe(20_000);
    // without an SOA a negative answer is not cached at all (RFC 2308 5)
    const bare = message(q, 0, [rr(null, 5, 300, encodeName('v4only.example.net'))], []);
    expect(analyseResponse(bare)!.lifetime).toBe(-1);
  });

  it('answers RA=1 and AA=0 whatever the upstream set', () => {
    const c = cache();
    const q = queryFor('flags.example.org');
    const resp = message(q, 0, [rr(null, 1, 300, Buffer.from([192, 0, 2, 1]))], []);
    const e = c.store(lowerQuestion(q, 12, q.length), false, false, resp, analyseResponse(resp)!, 0);
    const pq = new ParsedQuery();
    parseQuery(q, q.length, pq);
    const r = answerFromEntry(e, q, pq, 1000, 512, false, 0);
    expect(r[2] & 0x04).toBe(0);
    expect(r[3] & 0x80).toBe(0x80);
  });

  it('keeps answers fetched with checking disabled apart from the others (RFC 6840 5.9)', () => {
    const c = cache();
    const q = queryFor('cd.example.org');
    const resp = answerFor(q, 300);
    c.store(lowerQuestion(q, 12, q.length), false, true, resp, analyseResponse(resp)!, 0);
    expect(c.find(q, 12, q.length, false, false, 1000)).toBeNull();
    expect(c.find(q, 12, q.length, false, true, 1000)).not.toBeNull();
  });

  it('relays a truncated answer without keeping it', () => {
    const c = cache();
    const q = queryFor('tc.example.org');
    const resp = answerFor(q, 300);
    resp[2] |= 0x02;
    const e = c.store(lowerQuestion(q, 12, q.length), false, false, resp, analyseResponse(resp)!, 0);
    expect(e).not.toBeNull();
    expect(get(c, 'tc.example.org', 1000)).toBeNull();
  });

  it('marks a stale answer with EDE 3 for EDNS clients only', () => {
    const c = cache();
    const q = queryFor('old.example.org');
    const e = put(c, 'old.example.org', 10, 0);
    const opt = Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]);
    const qOpt = Buffer.concat([q, opt]);
    qOpt.writeUInt16BE(1, 10);
    const withOpt = new ParsedQuery();
    parseQuery(qOpt, qOpt.length, withOpt);
    const r = answerFromEntry(e, qOpt, withOpt, 20_000, 1232, false, 30);
    const info = analyseResponse(r)!;
    expect(r.readUInt16BE(10)).toBe(1);
    // OPT RDATA: option 15 (EDE), length 2, info code 3
    expect(r.subarray(info.optStart + 11).toString('hex')).toBe('000f00020003');
    const plain = new ParsedQuery();
    parseQuery(q, q.length, plain);
    const p = answerFromEntry(e, q, plain, 20_000, 512, false, 30);
    expect(p.readUInt16BE(10)).toBe(0);
    expect(analyseResponse(p)!.optStart).toBe(-1);
    // a fresh answer carries no EDE
    const f = answerFromEntry(e, qOpt, withOpt, 1000, 1232, false, 0);
    expect(f.length).toBe(e.resp.length + opt.length);
  });

  it('stays within max_bytes, counting CNAME targets', () => {
    const maxBytes = 200_000;
    const c = new ResponseCache({ maxEntries: 1_000_000, maxBytes, minTtl: 0, maxTtl: 3600, negativeMaxTtl: 600, staleWindowS: 60 });
    const plainSize = put(cache(), 'n1.example.org', 300, 0).size;
    let cnameSize = 0;
    for (let i = 0; i < 2000; i++) {
      const q = queryFor(`n${i}.example.org`);
      const target = `a-rather-long-target-name-${i}.cdn.example.net`;
      const resp = message(q, 0, [rr(null, 5, 300, encodeName(target)), rr(target, 1, 300, Buffer.from([192, 0, 2, 1]))], []);
      const e = c.store(lowerQuestion(q, 12, q.length), false, false, resp, analyseResponse(resp)!, i);
      cnameSize = e.size;
      expect(c.bytes).toBeLessThanOrEqual(maxBytes);
    }
    // the target's name object (wire bytes, label offsets) is part of the entry's cost
    expect(cnameSize - plainSize).toBeGreaterThan(350);
    expect(c.size).toBeLessThanOrEqual(Math.floor(maxBytes / cnameSize) + 1);
    expect(c.size).toBeGreaterThan(0);
  });
});
