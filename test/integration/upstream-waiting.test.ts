import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, type AuthUpstream } from '../helpers/auth-upstream.js';
import { buildQuery } from '../helpers/dns-message.js';
import { openUdp } from '../helpers/raw-dns.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// Queries waiting for upstream answers: a global cap turns a miss flood into immediate
// SERVFAILs instead of memory, and a shutdown lets the waiting ones end on their sockets.

let nsd: AuthUpstream;
let ng: Nestguard | undefined;

beforeAll(async () => {
  nsd = await startAuthUpstream();
});

afterEach(async () => {
  nsd.resume();
  await ng?.stop();
  ng = undefined;
});

afterAll(async () => {
  await nsd?.stop();
});

const names = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}.${RECORDS.wildcard.suffix}`);

describe('queries waiting for upstreams', () => {
  it('beyond upstream.max_waiting, new queries get SERVFAIL at once, counted in /health', async () => {
    ng = await startNestguard({ upstreamPort: nsd.port, waitForHttp: true, config: { upstream: { try_timeout_ms: 1000, resolve_timeout_ms: 2000, max_waiting: 5 } } });
    nsd.pause();
    const c = await openUdp(ng.dnsPort);
    try {
      const qs = names(40, 'cap');
      qs.forEach((name, i) => c.send(buildQuery({ id: i, name })));
      const fast: Buffer[] = [];
      for (;;) {
        const r = await c.next(400);
        if (r === null) break;
        fast.push(r);
      }
      // the 5 that wait are answered only after the resolve timeout; the others at once
      expect(fast.length).toBe(35);
      for (const r of fast) expect(r[3] & 0x0f).toBe(2);
      const health = await (await fetch(`http://127.0.0.1:${ng.httpPort}/health`)).json() as { waiting: { now: number; max: number; refused: number } };
      expect(health.waiting).toEqual({ now: 5, max: 5, refused: 35 });
    } finally {
      c.close();
    }
  });

  it('SIGTERM with queries waiting: every one is answered, none fails on a closed socket', async () => {
    ng = await startNestguard({ upstreamPort: nsd.port, waitForHttp: true, config: { upstream: { try_timeout_ms: 300, resolve_timeout_ms: 800, max_waiting: 1000 } } });
    nsd.pause();
    const c = await openUdp(ng.dnsPort);
    try {
      const qs = names(60, 'term');
      qs.forEach((name, i) => c.send(buildQuery({ id: i, name })));
      await new Promise((r) => setTimeout(r, 150));
      const stopped = ng.stop();
      const got = new Set<number>();
      for (;;) {
        const r = await c.next(1500);
        if (r === null) break;
        got.add(r.readUInt16BE(0));
      }
      expect(await stopped, ng.logs()).toBe(0);
      expect(got.size).toBe(qs.length);
      expect(ng.logs()).not.toMatch(/failed to answer a waiting query|ERR_SOCKET_DGRAM_NOT_RUNNING/);
    } finally {
      c.close();
    }
  });
});
