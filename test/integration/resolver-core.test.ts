import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query, type DigResult } from '../helpers/dig.js';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { tcpExchange, udpExchange } from '../helpers/raw-dns.js';
import { RCODE_BADVERS, RCODE_FORMERR, RCODE_NOTIMP, RCODE_REFUSED, TYPE_A, TYPE_TXT } from '../../resolver/src/dns/wire.js';

// The resolver core end to end: the built server process, a real authoritative upstream (NSD)
// and kdig as the client. One upstream and one server for the whole file; the tests that take
// the upstream away run last.

const RESOLVE_TIMEOUT_MS = 1500;
/** scheduling slack on a busy 2-core CI machine */
const SLACK_MS = 700;

let up: AuthUpstream;
let ng: Nestguard;
let port: number;

/** A name under the zone's wildcard that no other test has asked for. */
let fresh = 0;
function freshName(tag: string): string {
  return `${tag}-${process.pid}-${++fresh}.${RECORDS.wildcard.suffix}`;
}

function types(r: DigResult['answer']): string[] {
  return r.map((x) => x.type);
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  up = await startAuthUpstream();
  ng = await startNestguard({
    upstreamPort: up.port,
    config: { upstream: { try_timeout_ms: 500, resolve_timeout_ms: RESOLVE_TIMEOUT_MS } },
  });
  port = ng.dnsPort;
});

afterAll(async () => {
  await ng?.kill();
  await up?.stop();
});

describe('answers relayed from the upstream', () => {
  it('A', async () => {
    const r = await query({ port, name: RECORDS.a.name });
    expect(r.rcode).toBe('NOERROR');
    expect(r.flags.qr).toBe(true);
    expect(r.flags.rd).toBe(true);
    expect(r.answer).toEqual([expect.objectContaining({ name: RECORDS.a.name, type: 'A', data: RECORDS.a.ipv4 })]);
    expect(r.answer[0].ttl).toBeGreaterThan(0);
    expect(r.answer[0].ttl).toBeLessThanOrEqual(RECORDS.a.ttl);
  });

  it('AAAA', async () => {
    const r = await query({ port, name: RECORDS.aaaa.name, type: 'AAAA' });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer.map((x) => [x.type, x.data])).toEqual([['AAAA', RECORDS.aaaa.ipv6]]);
  });

  it('a CNAME chain down to its A record', async () => {
    const r = await query({ port, name: RECORDS.cname.chain[0] });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer.map((x) => [x.name, x.type, x.data])).toEqual([
      [RECORDS.cname.chain[0], 'CNAME', `${RECORDS.cname.chain[1]}.`],
      [RECORDS.cname.chain[1], 'CNAME', `${RECORDS.cname.chain[2]}.`],
      [RECORDS.cname.chain[2], 'A', RECORDS.cname.ipv4],
    ]);
  });

  it('MX', async () => {
    const r = await query({ port, name: RECORDS.mx.name, type: 'MX' });
    expect(r.answer.map((x) => x.data)).toEqual([`${RECORDS.mx.preference} ${RECORDS.mx.exchange}.`]);
  });

  it('a TXT record of several strings, boundaries intact', async () => {
    const r = await query({ port, name: RECORDS.txt.name, type: 'TXT' });
    expect(r.answer).toHaveLength(1);
    const expected = Buffer.concat(RECORDS.txt.strings.map((s) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)])));
    expect(r.answer[0].rdataHex).toBe(expected.toString('hex').toUpperCase());
  });

  it('SRV', async () => {
    const r = await query({ port, name: RECORDS.srv.name, type: 'SRV' });
    const s = RECORDS.srv;
    expect(r.answer.map((x) => x.data)).toEqual([`${s.priority} ${s.weight} ${s.port} ${s.target}.`]);
  });

  it('HTTPS (type 65)', async () => {
    const r = await query({ port, name: RECORDS.https.name, type: 'HTTPS' });
    expect(r.question).toEqual({ name: RECORDS.https.name, type: 'HTTPS' }); // QTYPE bytes untouched
    expect(r.answer).toEqual([expect.objectContaining({ typeCode: 65, data: RECORDS.https.data })]);
  });

  it('an unknown type with its RDATA byte for byte', async () => {
    const r = await query({ port, name: RECORDS.unknown.name, type: RECORDS.unknown.type });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer).toEqual([expect.objectContaining({ typeCode: RECORDS.unknown.typeCode, rdataHex: RECORDS.unknown.rdataHex })]);
  });

  it('NXDOMAIN with the SOA in authority', async () => {
    const r = await query({ port, name: RECORDS.missing.name });
    expect(r.rcode).toBe('NXDOMAIN');
    expect(r.answer).toEqual([]);
    expect(r.authority).toEqual([expect.objectContaining({ name: ZONE, type: 'SOA' })]);
  });

  it('NODATA: NOERROR, no answer, the SOA in authority', async () => {
    const r = await query({ port, name: RECORDS.onlyA.name, type: 'AAAA' });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer).toEqual([]);
    expect(r.authority).toEqual([expect.objectContaining({ name: ZONE, type: 'SOA' })]);
  });

  it('RRSIGs only for a DO query, whichever was cached first', async () => {
    const name = RECORDS.signed.name;
    expect(types((await query({ port, name })).answer)).toEqual(['A']);
    const withDo = await query({ port, name, dnssec: true });
    expect(withDo.edns?.do).toBe(true);
    expect(types(withDo.answer).sort()).toEqual(['A', 'RRSIG']);
    expect(types((await query({ port, name })).answer)).toEqual(['A']);
    expect(types((await query({ port, name: ZONE, type: 'DNSKEY', dnssec: true })).answer).sort()).toEqual(['DNSKEY', 'RRSIG']);
  });
});

describe('the big TXT RRset (> 1232 bytes)', () => {
  it('is truncated over UDP into a well-formed message no bigger than 1232 bytes', async () => {
    const viaKdig = await query({ port, name: RECORDS.bigTxt.name, type: 'TXT', bufsize: 4096, ignoreTc: true });
    expect(viaKdig.flags.tc).toBe(true);

    for (const edns of [{ udpSize: 4096 }, undefined]) {
      const reply = await udpExchange(port, buildQuery({ id: 777, name: RECORDS.bigTxt.name, type: TYPE_TXT, edns }));
      expect(reply).not.toBeNull();
      expect(reply!.length).toBeLessThanOrEqual(edns ? 1232 : 512);
      const m = parseMessage(reply!); // throws unless the header counts describe the body exactly
      expect(m).toMatchObject({ id: 777, qr: true, tc: true, rcode: 0 });
      expect(m.questions).toEqual([{ name: RECORDS.bigTxt.name, type: TYPE_TXT, class: 1 }]);
    }
  });

  it('comes whole over TCP', async () => {
    const r = await query({ port, name: RECORDS.bigTxt.name, type: 'TXT', tcp: true });
    expect(r.flags.tc).toBe(false);
    expect(r.msgLength).toBeGreaterThan(1232);
    expect(r.answer.map((x) => x.data.replace(/"/g, '')).sort()).toEqual([...RECORDS.bigTxt.strings].sort());
  });
});

describe('protocol handling', () => {
  it('an OPT record in the answer exactly when the query had one', async () => {
    const name = freshName('edns');
    for (let i = 0; i < 2; i++) { // the first from upstream, the second from cache
      const plain = parseMessage((await udpExchange(port, buildQuery({ name })))!);
      expect(plain.rcode).toBe(0);
      expect(plain.opt).toBeNull();
      const withOpt = parseMessage((await udpExchange(port, buildQuery({ name, edns: { udpSize: 1232 } })))!);
      expect(withOpt.rcode).toBe(0);
      expect(withOpt.opt).not.toBeNull();
    }
    expect((await query({ port, name: RECORDS.missing.name, edns: false })).edns).toBeNull();
    expect((await query({ port, name: RECORDS.missing.name })).edns).not.toBeNull();
  });

  it('BADVERS for an EDNS version it does not speak', async () => {
    const m = parseMessage((await udpExchange(port, buildQuery({ id: 99, name: RECORDS.a.name, edns: { version: 1 } })))!);
    expect(m.id).toBe(99);
    expect(m.rcode).toBe(RCODE_BADVERS);
    expect(m.opt).not.toBeNull();
  });

  it('answers every query pipelined on one TCP connection, matched by ID', async () => {
    const names = [RECORDS.a.name, RECORDS.aaaa.name, RECORDS.mx.name, RECORDS.missing.name, RECORDS.txt.name, ...[1, 2, 3, 4, 5].map(() => freshName('pipe'))];
    const queries = names.map((name, i) => buildQuery({ id: 1000 + i, name, edns: {} }));
    const replies = (await tcpExchange(port, queries, { timeoutMs: RESOLVE_TIMEOUT_MS + SLACK_MS })).map(parseMessage);
    expect(replies).toHaveLength(names.length);
    const byId = new Map(replies.map((m) => [m.id, m]));
    names.forEach((name, i) => {
      const m = byId.get(1000 + i);
      expect(m, `reply for ${name}`).toBeDefined();
      expect(m!.questions[0].name).toBe(name);
    });
    expect(byId.get(1000)!.answer[0].rdata).toEqual(Buffer.from([192, 0, 2, 1]));
    expect(byId.get(1003)!.rcode).toBe(3);
  });

  it('serves on the IPv6 loopback, over UDP and TCP', async () => {
    for (const tcp of [false, true]) {
      const r = await query({ port, server: '::1', name: RECORDS.a.name, tcp });
      expect(r.rcode).toBe('NOERROR');
      expect(r.answer.map((x) => x.data)).toEqual([RECORDS.a.ipv4]);
    }
  });

  it('REFUSED to a source outside every configured network', async () => {
    const udp = await query({ port, name: RECORDS.a.name, source: '127.0.0.2' });
    expect(udp.rcode).toBe('REFUSED');
    expect(udp.answer).toEqual([]);
    const tcp = await query({ port, name: RECORDS.a.name, source: '127.0.0.2', tcp: true });
    expect(tcp.rcode).toBe('REFUSED');
    const raw = parseMessage((await udpExchange(port, buildQuery({ id: 4321, name: RECORDS.a.name }), { bindAddress: '127.0.0.2' }))!);
    expect(raw).toMatchObject({ id: 4321, rcode: RCODE_REFUSED });
    expect(raw.answer).toEqual([]);
  });

  it('NOTIMP for an opcode other than QUERY', async () => {
    for (const opcode of [2, 5]) {
      const m = parseMessage((await udpExchange(port, buildQuery({ id: 600 + opcode, name: RECORDS.a.name, opcode })))!);
      expect(m).toMatchObject({ id: 600 + opcode, qr: true, opcode, rcode: RCODE_NOTIMP });
      expect(m.answer).toEqual([]);
    }
  });

  it('FORMERR for a query with two questions', async () => {
    const m = parseMessage((await udpExchange(port, buildQuery({ id: 555, name: RECORDS.a.name, questions: 2 })))!);
    expect(m).toMatchObject({ id: 555, qr: true, rcode: RCODE_FORMERR });
    expect(m.answer).toEqual([]);
  });

  it('a minimal RFC 8482 answer to ANY: one synthesised HINFO, not the RRsets', async () => {
    // NSD itself already answers ANY with one RRset, so only the synthesised HINFO shows the
    // resolver answered on its own instead of relaying
    for (const name of [ZONE, RECORDS.a.name]) {
      const r = await query({ port, name, type: 'ANY' });
      expect(r.rcode).toBe('NOERROR');
      expect(r.answer).toHaveLength(1);
      expect(r.answer[0]).toMatchObject({ name, type: 'HINFO' });
      expect(r.answer[0].data).toContain('RFC8482');
    }
  });
});

// From here on the upstream goes away; these run in order and last.
describe('cache and upstream failure', () => {
  const cachedName = freshName('aged');
  let firstTtl = 0;

  it('ages TTLs on cache hits, answering from cache with the upstream stopped', async () => {
    const first = await query({ port, name: cachedName });
    expect(first.answer.map((x) => x.data)).toEqual([RECORDS.wildcard.ipv4]);
    firstTtl = first.answer[0].ttl;
    // prime the short-TTL names the stale tests below need expired
    for (const name of RECORDS.short.names.slice(0, 2)) {
      expect((await query({ port, name })).answer.map((x) => x.data)).toEqual([RECORDS.short.ipv4]);
    }
    await up.stop();
    await sleep(2100);
    const second = await query({ port, name: cachedName });
    expect(second.rcode).toBe('NOERROR');
    expect(second.answer.map((x) => x.data)).toEqual([RECORDS.wildcard.ipv4]);
    expect(second.answer[0].ttl).toBeLessThan(firstTtl);
    expect(firstTtl - second.answer[0].ttl).toBeLessThanOrEqual(3);
  });

  it('serves an expired answer as stale, with a small TTL, when the upstream refuses', async () => {
    const { value: r, ms } = await timed(() => query({ port, name: RECORDS.short.names[0] }));
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer.map((x) => x.data)).toEqual([RECORDS.short.ipv4]);
    expect(r.answer[0].ttl).toBeGreaterThan(0);
    expect(r.answer[0].ttl).toBeLessThanOrEqual(30);
    expect(ms).toBeLessThan(RESOLVE_TIMEOUT_MS + SLACK_MS);
  });

  it('SERVFAIL for a never-seen name within the resolve timeout when the upstream refuses', async () => {
    const { value: r, ms } = await timed(() => query({ port, name: freshName('down') }));
    expect(r.rcode).toBe('SERVFAIL');
    expect(ms).toBeLessThan(RESOLVE_TIMEOUT_MS + SLACK_MS);
  });

  it('stale or SERVFAIL within the resolve timeout when the upstream is a black hole', async () => {
    await up.start();
    up.pause();
    try {
      const stale = await timed(() => query({ port, name: RECORDS.short.names[1], extra: ['+time=4'] }));
      expect(stale.value.rcode).toBe('NOERROR');
      expect(stale.value.answer.map((x) => x.data)).toEqual([RECORDS.short.ipv4]);
      expect(stale.value.answer[0].ttl).toBeLessThanOrEqual(30);
      expect(stale.ms).toBeLessThan(RESOLVE_TIMEOUT_MS + SLACK_MS);

      const never = await timed(() => query({ port, name: freshName('hole'), extra: ['+time=4'] }));
      expect(never.value.rcode).toBe('SERVFAIL');
      expect(never.ms).toBeLessThan(RESOLVE_TIMEOUT_MS + SLACK_MS);
    } finally {
      up.resume();
    }
  });

  it('still answers after all that, and exits 0 on SIGTERM', async () => {
    const r = await query({ port, name: RECORDS.a.name });
    expect(r.rcode).toBe('NOERROR');
    expect(await ng.stop()).toBe(0);
  });
});
