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

function answerFor(q: Buffer, ttl: number): Buffer {
  const a = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1]);
  a.writeUInt32BE(ttl, 6);
  const r = Buffer.concat([q, a]);
  r[2] = 0x81;
  r[3] = 0x80;
  r.writeUInt16BE(1, 6);
  return r;
}

function cache(maxEntries = 100) {
  return new ResponseCache({ maxEntries, maxBytes: 1 << 24, minTtl: 0, maxTtl: 3600, negativeMaxTtl: 600, staleWindowS: 60 });
}

function put(c: ResponseCache, name: string, ttl: number, now: number) {
  const q = queryFor(name);
  const resp = answerFor(q, ttl);
  return c.store(lowerQuestion(q, 12, q.length), false, resp, analyseResponse(resp)!, now);
}

function get(c: ResponseCache, name: string, now: number, type = 1) {
  const q = queryFor(name, type);
  return c.find(q, 12, q.length, false, now);
}

describe('ResponseCache', () => {
  it('finds names case-insensitively but never confuses types whose bytes look like letters', () => {
    const c = cache();
    put(c, 'www.example.org', 300, 0);
    expect(get(c, 'WWW.Example.ORG', 1000)).not.toBeNull();
    // type 65 (HTTPS) is byte 0x41, "A": it must not fold into type 97
    const q65 = queryFor('x.example.org', 65);
    const resp = answerFor(q65, 300);
    c.store(lowerQuestion(q65, 12, q65.length), false, resp, analyseResponse(resp)!, 0);
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
    const e = c.store(lowerQuestion(q, 12, q.length), false, resp, analyseResponse(resp)!, 0);
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
});
