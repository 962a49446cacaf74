import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { UpstreamError } from '../../resolver/src/upstream/upstream-error.js';
import { UpstreamPool } from '../../resolver/src/upstream/upstream-pool.js';
import { parseUpstreamUrl } from '../../resolver/src/upstream/upstream-url.js';
import { makeTestCert } from '../helpers/upstream-certs.js';
import { buildQuery, FakeUpstream, startFakeDoh, startFakeDot } from '../helpers/upstream-fake-server.js';

/** Open handles (sockets, timers) by kind, as Node counts them. */
function handles(): Map<string, number> {
  const m = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) m.set(kind, (m.get(kind) ?? 0) + 1);
  return m;
}

it('close() rejects what is pending and leaves no socket or timer behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-upstream-'));
  const cert = makeTestCert(dir);
  const truncating = await new FakeUpstream({ behaviour: 'truncate' }).start();
  const answering = await new FakeUpstream().start();
  const silent = await new FakeUpstream({ behaviour: 'silent' }).start();
  const dot = await startFakeDot(answering, cert.key, cert.cert);
  const doh = await startFakeDoh(answering, cert.key, cert.cert);
  await new Promise((r) => setTimeout(r, 20));
  const before = handles();

  const urls = [
    `udp://127.0.0.1:${truncating.udpPort}`,
    `tcp://127.0.0.1:${answering.tcpPort}`,
    `tls://127.0.0.1:${dot.port}#dot.test`,
    `https://127.0.0.1:${doh.port}/dns-query`,
  ];
  const pools = urls.map((u) => new UpstreamPool([parseUpstreamUrl(u)], { tryTimeoutMs: 1000, tlsCaFile: cert.certPath }));
  for (const p of pools) await p.query(buildQuery('example.org', 1, 3), performance.now() + 3000);
  expect(truncating.tcpQueries).toBe(1); // the UDP pool opened its TCP fallback too

  const stuck = new UpstreamPool([parseUpstreamUrl(`udp://127.0.0.1:${silent.udpPort}`), parseUpstreamUrl(`tcp://127.0.0.1:${silent.tcpPort}`)], { tryTimeoutMs: 5000 });
  pools.push(stuck);
  const pending = stuck.query(buildQuery('example.org', 1, 4), performance.now() + 10_000).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 50));
  const start = performance.now();
  for (const p of pools) await p.close();
  const err = await pending;
  expect(err).toBeInstanceOf(UpstreamError);
  expect(performance.now() - start).toBeLessThan(200);
  await expect(stuck.query(buildQuery('example.org', 1, 5), performance.now() + 1000)).rejects.toThrow(/^upstream: /);

  // the servers notice the closed connections a moment later
  await new Promise((r) => setTimeout(r, 100));
  // the runner keeps timers of its own that come and go: timers may only have become fewer
  const after = handles();
  expect(after.get('Timeout') ?? 0).toBeLessThanOrEqual(before.get('Timeout') ?? 0);
  after.delete('Timeout');
  before.delete('Timeout');
  expect(after).toEqual(before);

  await dot.close();
  await doh.close();
  for (const f of [truncating, answering, silent]) await f.close();
  rmSync(dir, { recursive: true, force: true });
});
