import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { ResponseCache } from '../cache/response-cache.js';
import type { ListManager } from '../lists/list-manager.js';
import { COUNTER_NAMES } from '../stats/network-counters.js';
import type { StatsRecorder } from '../stats/stats-recorder.js';
import { UNMATCHED_NETWORK_ID } from '../stats/stats-recorder.js';
import { LATENCY_BOUNDS_MS } from '../upstream/upstream-health.js';
import type { UpstreamPool } from '../upstream/upstream-pool.js';

// Prometheus metrics, read from the counters the resolver already keeps at scrape time (the
// query path gains no work). Label values come from bounded sets only: results, categories,
// configured upstreams and list sources, and at most `maxNetworks` networks by name (the rest
// summed as "other"). Never a client address, never a query name.

export interface MetricsDeps {
  stats: StatsRecorder;
  cache: ResponseCache;
  upstream: UpstreamPool;
  lists: ListManager;
  /** networks given their own series (by id order); the rest are summed as network="other" */
  maxNetworks: number;
}

const IDX = Object.fromEntries(COUNTER_NAMES.map((n, i) => [n, i])) as Record<(typeof COUNTER_NAMES)[number], number>;

/** A histogram whose buckets are kept elsewhere (UpstreamHealth.latency), shown as seconds. */
function upstreamLatency(upstream: UpstreamPool): Metric {
  const name = 'nestguard_upstream_latency_seconds';
  return {
    name,
    help: 'Time to a usable answer from each upstream',
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      name,
      help: 'Time to a usable answer from each upstream',
      type: 'histogram',
      aggregator: 'sum',
      values: upstream.latency().flatMap(({ url, buckets, sumMs }) => {
        let cumulative = 0;
        const rows = LATENCY_BOUNDS_MS.map((le, i) => {
          cumulative += buckets[i];
          return { metricName: `${name}_bucket`, labels: { upstream: url, le: le / 1000 }, value: cumulative };
        });
        cumulative += buckets[LATENCY_BOUNDS_MS.length];
        rows.push({ metricName: `${name}_bucket`, labels: { upstream: url, le: '+Inf' as unknown as number }, value: cumulative });
        rows.push({ metricName: `${name}_sum`, labels: { upstream: url } as never, value: sumMs / 1000 });
        rows.push({ metricName: `${name}_count`, labels: { upstream: url } as never, value: cumulative });
        return rows;
      }),
    }),
    reset: () => undefined,
  } as unknown as Metric;
}

export function createMetrics(d: MetricsDeps): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'nestguard_' });

  const counts = () => d.stats.countsSinceStart();

  new Counter({
    name: 'nestguard_queries_total', help: 'DNS queries by result', labelNames: ['result'], registers: [register],
    collect() {
      this.reset();
      let total = 0, blocked = 0, rewritten = 0, refused = 0, limited = 0;
      for (const c of counts().values()) {
        total += c.totals[IDX.total]; blocked += c.totals[IDX.blocked]; rewritten += c.totals[IDX.rewritten];
        refused += c.totals[IDX.refused]; limited += c.totals[IDX.rate_limited] ?? 0;
      }
      this.inc({ result: 'blocked' }, blocked);
      this.inc({ result: 'rewritten' }, rewritten);
      this.inc({ result: 'refused' }, refused);
      this.inc({ result: 'rate_limited' }, limited);
      this.inc({ result: 'allowed' }, Math.max(0, total - blocked - rewritten - refused - limited));
    },
  });
  new Counter({
    name: 'nestguard_blocked_total', help: 'Blocked queries by category ("_policy": a policy\'s own deny rule)', labelNames: ['category'], registers: [register],
    collect() {
      this.reset();
      const by = new Map<string, number>();
      for (const c of counts().values()) for (const [cat, n] of c.byCategory) by.set(cat, (by.get(cat) ?? 0) + n);
      for (const [category, n] of by) this.inc({ category }, n);
    },
  });
  new Counter({
    name: 'nestguard_network_queries_total', help: `DNS queries per network (the first networks by id; the rest as "other")`, labelNames: ['network'], registers: [register],
    collect() {
      this.reset();
      let shown = 0;
      let other = 0;
      for (const [id, c] of [...counts()].sort((a, b) => a[0] - b[0])) {
        if (id === UNMATCHED_NETWORK_ID) continue;
        if (shown < d.maxNetworks && c.name !== undefined) { this.inc({ network: c.name }, c.totals[IDX.total]); shown++; }
        else other += c.totals[IDX.total];
      }
      if (other > 0) this.inc({ network: 'other' }, other);
    },
  });
  const simple = (name: string, help: string, value: () => number) =>
    new Counter({ name, help, registers: [register], collect() { this.reset(); this.inc(value()); } });
  simple('nestguard_cache_hits_total', 'Answers served from the cache', () => d.cache.stats.hits);
  simple('nestguard_cache_misses_total', 'Cache lookups that found nothing usable', () => d.cache.stats.misses);
  simple('nestguard_cache_stale_served_total', 'Stale answers served while upstreams failed (RFC 8767)', () => d.cache.stats.staleServed);
  simple('nestguard_cache_prefetches_total', 'Popular entries refreshed before they expired', () => d.cache.stats.prefetches);
  new Gauge({ name: 'nestguard_cache_entries', help: 'Entries in the cache', registers: [register], collect() { this.set(d.cache.size); } });
  new Gauge({ name: 'nestguard_cache_bytes', help: 'Memory held by the cache', registers: [register], collect() { this.set(d.cache.bytes); } });

  new Counter({
    name: 'nestguard_upstream_queries_total', help: 'Tries sent to each upstream', labelNames: ['upstream'], registers: [register],
    collect() { this.reset(); for (const u of d.upstream.health()) this.inc({ upstream: u.url }, u.queries); },
  });
  new Counter({
    name: 'nestguard_upstream_errors_total', help: 'Failed tries per upstream (timeouts, errors, SERVFAIL/REFUSED)', labelNames: ['upstream'], registers: [register],
    collect() { this.reset(); for (const u of d.upstream.health()) this.inc({ upstream: u.url }, u.errors); },
  });
  new Gauge({
    name: 'nestguard_upstream_healthy', help: '1 while an upstream answers, 0 while it is skipped', labelNames: ['upstream'], registers: [register],
    collect() { this.reset(); for (const u of d.upstream.health()) this.set({ upstream: u.url }, u.healthy ? 1 : 0); },
  });
  register.registerMetric(upstreamLatency(d.upstream));

  new Gauge({
    name: 'nestguard_list_entries', help: 'Rules each live list source contributes', labelNames: ['source'], registers: [register],
    collect() { this.reset(); for (const s of d.lists.status()) if (s.live) this.set({ source: s.name }, s.entries.block + s.entries.allow + s.entries.important + s.entries.regex); },
  });
  new Gauge({
    name: 'nestguard_list_refresh_failing', help: '1 for an enabled source whose last refresh failed (its previous copy serves)', labelNames: ['source'], registers: [register],
    collect() { this.reset(); for (const s of d.lists.status()) if (s.enabled) this.set({ source: s.name }, s.lastError ? 1 : 0); },
  });
  new Gauge({ name: 'nestguard_list_snapshot_entries', help: 'Entries in the live list snapshot', registers: [register], collect() { this.set(d.lists.matcher.size); } });
  return register;
}
