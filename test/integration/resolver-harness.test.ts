import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { kdig, nodeResolver, query } from '../helpers/dig.js';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import { freePort } from '../helpers/ports.js';
import { tcpExchange, udpExchange } from '../helpers/raw-dns.js';
import { TYPE_A, TYPE_TXT } from '../../resolver/src/dns/wire.js';

// The harness checked against NSD alone: when a resolver test fails, this file tells whether
// the resolver or the test machinery is at fault.

let up: AuthUpstream;

beforeAll(async () => {
  up = await startAuthUpstream();
});

afterAll(async () => {
  await up?.stop();
});

describe('harness against NSD', () => {
  it('hands out a port free for UDP and TCP on both loopbacks', async () => {
    const a = await freePort(['127.0.0.1', '::1']);
    const b = await freePort(['127.0.0.1', '::1']);
    expect(a).toBeGreaterThan(0);
    expect(b).not.toBe(a);
  });

  it('serves every record kind the resolver tests rely on', async () => {
    const a = await query({ port: up.port, name: RECORDS.a.name });
    expect(a.rcode).toBe('NOERROR');
    expect(a.flags.aa).toBe(true);
    expect(a.answer).toEqual([expect.objectContaining({ name: RECORDS.a.name, type: 'A', data: RECORDS.a.ipv4, ttl: 300 })]);

    const v6 = await query({ port: up.port, name: RECORDS.aaaa.name, type: 'AAAA' });
    expect(v6.answer.map((r) => r.data)).toEqual([RECORDS.aaaa.ipv6]);

    const chain = await query({ port: up.port, name: RECORDS.cname.chain[0] });
    expect(chain.answer.map((r) => [r.name, r.type])).toEqual([
      [RECORDS.cname.chain[0], 'CNAME'], [RECORDS.cname.chain[1], 'CNAME'], [RECORDS.cname.chain[2], 'A'],
    ]);

    const mx = await query({ port: up.port, name: RECORDS.mx.name, type: 'MX' });
    expect(mx.answer[0].data).toBe(`${RECORDS.mx.preference} ${RECORDS.mx.exchange}.`);

    const txt = await query({ port: up.port, name: RECORDS.txt.name, type: 'TXT' });
    expect(txt.answer[0].data).toBe(RECORDS.txt.strings.map((s) => `"${s}"`).join(' '));

    const srv = await query({ port: up.port, name: RECORDS.srv.name, type: 'SRV' });
    expect(srv.answer[0].data).toBe(`${RECORDS.srv.priority} ${RECORDS.srv.weight} ${RECORDS.srv.port} ${RECORDS.srv.target}.`);

    const https = await query({ port: up.port, name: RECORDS.https.name, type: 'HTTPS' });
    expect(https.answer[0]).toMatchObject({ type: 'HTTPS', typeCode: 65, data: RECORDS.https.data });

    const unk = await query({ port: up.port, name: RECORDS.unknown.name, type: RECORDS.unknown.type });
    expect(unk.answer[0]).toMatchObject({ typeCode: RECORDS.unknown.typeCode, rdataHex: RECORDS.unknown.rdataHex });

    const nodata = await query({ port: up.port, name: RECORDS.onlyA.name, type: 'AAAA' });
    expect(nodata.rcode).toBe('NOERROR');
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority.map((r) => r.type)).toEqual(['SOA']);

    const nx = await query({ port: up.port, name: RECORDS.missing.name });
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authority[0]).toMatchObject({ type: 'SOA', name: ZONE });

    const short = await query({ port: up.port, name: RECORDS.short.names[0] });
    expect(short.answer[0].ttl).toBe(RECORDS.short.ttl);

    const wild = await query({ port: up.port, name: `x${Date.now()}.${RECORDS.wildcard.suffix}` });
    expect(wild.answer[0].data).toBe(RECORDS.wildcard.ipv4);
  });

  it('returns RRSIGs only with the DO bit, and the DNSKEY at the apex', async () => {
    const signed = await query({ port: up.port, name: RECORDS.signed.name, dnssec: true });
    expect(signed.edns?.do).toBe(true);
    expect(signed.answer.map((r) => r.type).sort()).toEqual(['A', 'RRSIG']);
    const plain = await query({ port: up.port, name: RECORDS.signed.name });
    expect(plain.answer.map((r) => r.type)).toEqual(['A']);
    const key = await query({ port: up.port, name: ZONE, type: 'DNSKEY', dnssec: true });
    expect(key.answer.map((r) => r.type).sort()).toEqual(['DNSKEY', 'RRSIG']);
  });

  it('truncates the big TXT over UDP at 1232, sends it whole at 4096 and over TCP', async () => {
    const udp = await query({ port: up.port, name: RECORDS.bigTxt.name, type: 'TXT', bufsize: 1232, ignoreTc: true });
    expect(udp.flags.tc).toBe(true);
    const large = await query({ port: up.port, name: RECORDS.bigTxt.name, type: 'TXT', bufsize: 4096, ignoreTc: true });
    expect(large.flags.tc).toBe(false);
    expect(large.msgLength).toBeGreaterThan(1232);
    const tcp = await query({ port: up.port, name: RECORDS.bigTxt.name, type: 'TXT', tcp: true });
    expect(tcp.flags.tc).toBe(false);
    expect(tcp.answer.map((r) => r.data.replace(/"/g, '')).sort()).toEqual([...RECORDS.bigTxt.strings].sort());
    expect(tcp.msgLength).toBeGreaterThan(1232);
  });

  it('reports EDNS presence as it was on the wire', async () => {
    expect((await query({ port: up.port, name: RECORDS.a.name })).edns).not.toBeNull();
    expect((await query({ port: up.port, name: RECORDS.a.name, edns: false })).edns).toBeNull();
  });

  it('raw UDP and pipelined TCP exchanges read back strictly', async () => {
    const reply = await udpExchange(up.port, buildQuery({ id: 4242, name: RECORDS.a.name, edns: { udpSize: 1232 } }));
    const m = parseMessage(reply!);
    expect(m).toMatchObject({ id: 4242, qr: true, rcode: 0 });
    expect(m.answer[0].rdata).toEqual(Buffer.from([192, 0, 2, 1]));
    expect(m.opt).not.toBeNull();

    const ids = [1, 2, 3, 4, 5];
    const replies = await tcpExchange(up.port, ids.map((id) => buildQuery({ id, name: RECORDS.txt.name, type: TYPE_TXT })));
    expect(replies.map((r) => parseMessage(r).id).sort()).toEqual(ids);

    const big = parseMessage((await udpExchange(up.port, buildQuery({ name: RECORDS.bigTxt.name, type: TYPE_TXT, edns: { udpSize: 1232 } })))!);
    expect(big.tc).toBe(true);
  });

  it('pause makes the upstream a black hole; stop and start bring it back on the same port', async () => {
    up.pause();
    expect(await udpExchange(up.port, buildQuery({ name: RECORDS.a.name, type: TYPE_A }), { timeoutMs: 300 })).toBeNull();
    up.resume();
    expect(await udpExchange(up.port, buildQuery({ name: RECORDS.a.name, type: TYPE_A }), { timeoutMs: 1000 })).not.toBeNull();
    await up.stop();
    await expect(kdig(['@127.0.0.1', '-p', up.port, RECORDS.a.name, '+time=1'])).rejects.toThrow(/dig:/);
    await up.start();
    const back = await nodeResolver(up.port).resolve4(RECORDS.a.name);
    expect(back).toEqual([RECORDS.a.ipv4]);
  });
});
