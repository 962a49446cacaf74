import type { FastifyInstance } from 'fastify';
import type { ResponseCache } from '../cache/response-cache.js';
import type { ListManager } from '../lists/list-manager.js';
import type { QueryHandler } from '../server/query-handler.js';
import type { UpstreamPool } from '../upstream/upstream-pool.js';

// Liveness and the resolver's own health for operators and the container healthcheck:
// upstream reachability, cache counters and list freshness. Aggregate numbers only.

export interface HealthDeps {
  cache: ResponseCache;
  upstream: UpstreamPool;
  lists: ListManager;
  handler: QueryHandler;
}

export function healthRoutes(app: FastifyInstance, d: HealthDeps): void {
  app.get('/health', async () => {
    const upstreams = d.upstream.health();
    return {
      status: upstreams.some((u) => u.healthy) ? 'ok' : 'degraded',
      upstreams,
      cache: { entries: d.cache.size, bytes: d.cache.bytes, ...d.cache.stats, inflight: d.handler.inflightCount },
      waiting: { now: d.handler.waitingCount, max: d.handler.maxWaiting, refused: d.handler.waitingRefused },
      // UDP answers over a client prefix's rate limit (RRL): sent truncated or dropped
      ratelimit: d.handler.rateLimiter === null ? { enabled: false } : { enabled: true, ...d.handler.rateLimiter.counters },
      lists: d.lists.status(),
    };
  });
}
