import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// Operations endpoints on the built server: liveness, readiness, Prometheus metrics with
// bounded labels and no client data, and the security headers.

let upstream: AuthUpstream;
let ng: Nestguard;
let base = '';
beforeAll(async () => {
  upstream = await startAuthUpstream();
  ng = await startNestguard({ upstreamPort: upstream.port, waitForHttp: true, config: { stats: { flush_interval_s: 0.2 } } });
  base = `http://127.0.0.1:${ng.httpPort}`;
});
afterAll(async () => {
  await ng?.stop();
  await upstream?.stop();
});

it('/healthz answers while the process lives; /readyz checks lists, upstreams and the database', async () => {
  const h = await fetch(`${base}/healthz`);
  expect(h.status).toBe(200);
  expect(await h.json()).toEqual({ status: 'ok' });
  await query({ port: ng.dnsPort, name: `ready.${RECORDS.wildcard.suffix}` });
  const r = await fetch(`${base}/readyz`);
  expect(await r.json()).toEqual({ status: 'ready', checks: { lists: true, upstream: true, database: true } });
  expect(r.status).toBe(200);
});

it('/readyz is 503 while no upstream answers', async () => {
  upstream.pause();
  try {
    // enough failed tries mark the upstream down
    for (let i = 0; i < 4; i++) await query({ port: ng.dnsPort, name: `down${i}.${RECORDS.wildcard.suffix}` }, { timeoutMs: 4000 }).catch(() => undefined);
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    expect((await r.json()).checks.upstream).toBe(false);
  } finally {
    upstream.resume();
  }
});

it('/metrics exposes the resolver\'s counters under nestguard_ names, with bounded labels and no client data', async () => {
  const client = '127.0.0.1';
  for (let i = 0; i < 3; i++) await query({ port: ng.dnsPort, name: `m${i}.${RECORDS.wildcard.suffix}` });
  await query({ port: ng.dnsPort, name: `m0.${RECORDS.wildcard.suffix}` });
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const name of [
    'nestguard_queries_total', 'nestguard_blocked_total', 'nestguard_cache_hits_total', 'nestguard_cache_misses_total',
    'nestguard_upstream_latency_seconds_bucket', 'nestguard_upstream_errors_total', 'nestguard_upstream_healthy',
    'nestguard_list_snapshot_entries', 'nestguard_network_queries_total', 'nestguard_process_cpu_seconds_total', 'nestguard_nodejs_heap_size_used_bytes',
  ]) expect(text, name).toContain(name);
  const allowed = Number(/^nestguard_queries_total\{result="allowed"\} (\d+)/m.exec(text)?.[1]);
  expect(allowed).toBeGreaterThanOrEqual(4);
  expect(Number(/^nestguard_cache_hits_total (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
  expect(text).toMatch(/nestguard_upstream_latency_seconds_count\{upstream="udp:\/\/127\.0\.0\.1:\d+"\} [1-9]/);
  expect(text).toMatch(/nestguard_network_queries_total\{network="lo"\} [1-9]/);
  // the upstream's own address is configuration; no client address or query name appears
  const withoutUpstream = text.split(`127.0.0.1:${upstream.port}`).join('');
  expect(withoutUpstream).not.toContain(client);
  expect(text).not.toContain(RECORDS.wildcard.suffix);
});

it('answers carry the security headers', async () => {
  const r = await fetch(`${base}/api/session`);
  expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(r.headers.get('referrer-policy')).toBe('no-referrer');
});
