import { createSocket, type RemoteInfo } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, type AuthUpstream } from '../helpers/auth-upstream.js';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { openUdp } from '../helpers/raw-dns.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// The batched UDP path itself (forced here, whichever path the rest of the suite runs on):
// replies leave from the address a query was sent to on a wildcard bind, bursts much larger
// than one recvmmsg batch are answered one for one to the right port, over IPv4 and IPv6, and
// queries waiting for an upstream at shutdown are still answered before the process exits.

const BATCHED = { NESTGUARD_UDP: 'batched' };
const OPEN_LOOPBACK = { networks: [{ name: 'lo', cidrs: ['127.0.0.0/8', '::1/128'], policy: 'open' }] };

let upstream: AuthUpstream;
beforeAll(async () => {
  upstream = await startAuthUpstream();
});
afterAll(async () => {
  await upstream?.stop();
});

/** Sends `msg` from a fresh socket to host:port; the first reply and where it came from. */
function exchangeFrom(host: string, port: number, msg: Buffer): Promise<{ msg: Buffer; from: RemoteInfo } | null> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, 2000);
    s.once('error', reject);
    s.once('message', (m, from) => { clearTimeout(t); s.close(); resolve({ msg: m, from }); });
    s.send(msg, port, host);
  });
}

/** Sends every query at once from one socket; the replies by ID (null when one did not come). */
async function burst(port: number, host: string, queries: Buffer[]): Promise<Map<number, Buffer>> {
  const c = await openUdp(port, { host });
  try {
    for (const q of queries) c.send(q);
    const deadline = Date.now() + 5000;
    while (c.count < queries.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const byId = new Map<number, Buffer>();
    for (const r of c.received) byId.set(r.readUInt16BE(0), r);
    return byId;
  } finally {
    c.close();
  }
}

describe('batched UDP transport', () => {
  let ng: Nestguard | undefined;
  afterAll(async () => {
    await ng?.stop();
  });

  it('says in its log that the addon serves, with the socket buffer sizes the kernel granted', async () => {
    ng = await startNestguard({ upstreamPort: upstream.port, env: BATCHED, config: OPEN_LOOPBACK });
    const line = ng.logRecords().find((l) => l.stage === 'udp');
    expect(line?.path).toBe('batched');
    const buffers = line?.buffers as { recv: number; send: number };
    expect(buffers.recv).toBeGreaterThan(200_000);
    expect(buffers.send).toBeGreaterThan(200_000);
  });

  it('answers a burst of 3000 queries (many recvmmsg batches) one for one, by ID, over IPv4 and IPv6', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const queries = Array.from({ length: 3000 }, (_, id) => buildQuery({ id, name: id % 3 === 0 ? RECORDS.dual.name : RECORDS.a.name, edns: id % 2 ? { udpSize: 1232 } : undefined }));
      const replies = await burst(ng!.dnsPort, host, queries);
      expect(replies.size, host).toBe(3000);
      for (const [id, r] of replies) {
        const m = parseMessage(r);
        expect(m.questions[0].name).toBe(id % 3 === 0 ? RECORDS.dual.name : RECORDS.a.name);
        expect(m.opt !== null).toBe(id % 2 === 1);
        expect(m.answer[0]?.rdata.join('.')).toBe(id % 3 === 0 ? '192.0.2.10' : RECORDS.a.ipv4);
      }
    }
  });

  it('keeps to the EDNS payload limit: 512 bytes without EDNS, udp_payload_max (1232) with it, TC=1 past them', async () => {
    const r = await burst(ng!.dnsPort, '127.0.0.1', [
      buildQuery({ id: 1, name: RECORDS.bigTxt.name, type: 16 }),
      buildQuery({ id: 2, name: RECORDS.bigTxt.name, type: 16, edns: { udpSize: 4096 } }),
      buildQuery({ id: 3, name: RECORDS.txt.name, type: 16 }),
    ]);
    expect(parseMessage(r.get(1)!).tc).toBe(true);
    expect(r.get(1)!.length).toBeLessThanOrEqual(512);
    expect(parseMessage(r.get(2)!).tc).toBe(true);
    expect(r.get(2)!.length).toBeLessThanOrEqual(1232);
    const small = parseMessage(r.get(3)!);
    expect(small.tc).toBe(false);
    expect(small.answer.length).toBe(1);
  });
});

describe('batched UDP on a wildcard address', () => {
  let ng: Nestguard | undefined;
  afterAll(async () => {
    await ng?.stop();
  });

  it('answers from the address the query was sent to (IP_PKTINFO), to the client port exactly', async () => {
    ng = await startNestguard({ upstreamPort: upstream.port, env: BATCHED, config: OPEN_LOOPBACK, listenHost: '0.0.0.0', ipv6: false });
    for (const to of ['127.0.0.2', '127.0.0.3', '127.0.0.1']) {
      const r = await exchangeFrom(to, ng.dnsPort, buildQuery({ id: 7, name: RECORDS.a.name }));
      expect(r, to).not.toBeNull();
      expect(r!.from.address).toBe(to);
      expect(r!.from.port).toBe(ng.dnsPort);
      expect(parseMessage(r!.msg).answer[0]?.rdata.join('.')).toBe(RECORDS.a.ipv4);
    }
  });
});

describe('batched UDP at shutdown', () => {
  let slow: TableUpstream;
  beforeAll(async () => {
    slow = await startTableUpstream(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`w${i}.slow.test`, [{ type: 'A' as const, address: `198.51.100.${i + 1}` }]])), { delayMs: 300 });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('answers the queries still waiting for the upstream, then exits 0', async () => {
    const ng = await startNestguard({ env: { ...BATCHED, NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${slow.port}` }, config: OPEN_LOOPBACK });
    const c = await openUdp(ng.dnsPort);
    try {
      for (let i = 0; i < 40; i++) c.send(buildQuery({ id: 100 + i, name: `w${i}.slow.test` }));
      await new Promise((r) => setTimeout(r, 150));
      const exited = ng.stop();
      expect(await exited).toBe(0);
      expect(c.count).toBe(40);
      for (const r of c.received) {
        const m = parseMessage(r);
        const i = m.id - 100;
        expect(m.answer[0]?.rdata.join('.')).toBe(`198.51.100.${i + 1}`);
      }
    } finally {
      c.close();
    }
  });
});
