import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ListManager } from '../lists/list-manager.js';
import { databaseWritable, type Db } from '../store/database.js';
import type { UpstreamPool } from '../upstream/upstream-pool.js';

// Operations endpoints for orchestrators and monitoring: /healthz says the process answers,
// /readyz that it can do its job (lists loaded, an upstream healthy, the database writable),
// /metrics the Prometheus exposition (admin listener only).

export interface OpsDeps {
  db: Db;
  lists: ListManager;
  upstream: UpstreamPool;
  metrics?: Registry;
}

export function opsRoutes(app: FastifyInstance, d: OpsDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const enabled = d.lists.status().filter((s) => s.enabled);
    const checks = {
      lists: enabled.length === 0 || enabled.some((s) => s.live),
      upstream: d.upstream.health().some((u) => u.healthy),
      database: databaseWritable(d.db),
    };
    const ready = checks.lists && checks.upstream && checks.database;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });

  if (d.metrics) {
    const metrics = d.metrics;
    app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  }
}
