import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { openUdp } from '../helpers/raw-dns.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// A burst of identical questions while the first is still on its way upstream costs one
// upstream request: every client gets its own answer (its ID, its spelling of the name).

let upstream: TableUpstream;
let ng: Nestguard;

beforeAll(async () => {
  upstream = await startTableUpstream({ 'burst.example.org': [{ type: 'A', address: '192.0.2.77' }] }, { delayMs: 300 });
  ng = await startNestguard({ env: { NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${upstream.port}` } });
});

afterAll(async () => {
  await ng?.stop();
  await upstream?.close();
});

describe('in-flight coalescing', () => {
  it('50 identical queries in flight share one upstream request', async () => {
    const client = await openUdp(ng.dnsPort);
    try {
      const ids = Array.from({ length: 50 }, (_, i) => 1000 + i);
      for (const id of ids) client.send(buildQuery({ id, name: id % 2 ? 'BURST.example.org' : 'burst.example.org' }));
      const replies: Buffer[] = [];
      while (replies.length < ids.length) {
        const r = await client.next(3000);
        if (r === null) break;
        replies.push(r);
      }
      expect(replies).toHaveLength(50);
      const parsed = replies.map((r) => parseMessage(r));
      expect(new Set(parsed.map((p) => p.id))).toEqual(new Set(ids));
      for (const p of parsed) expect([...(p.answer[0]?.rdata ?? [])].join('.')).toBe('192.0.2.77');
      // each client sees the name as it spelled it (0x20 echo)
      for (const r of replies) expect(r.subarray(13, 18).toString('latin1')).toBe(r.readUInt16BE(0) % 2 ? 'BURST' : 'burst');
      expect(upstream.asked.filter((a) => a === 'burst.example.org A')).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});
