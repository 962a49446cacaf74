import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ResponseCache } from '../cache/response-cache.js';
import type { Config } from '../config/config-schema.js';
import { consoleStatic, sendConsolePage, wantsPage } from '../http/console-static.js';
import { DohExchange } from '../http/doh-exchange.js';
import { dohRoutes } from '../http/doh-routes.js';
import { healthRoutes } from '../http/health-routes.js';
import { createMetrics } from '../http/metrics.js';
import { opsRoutes } from '../http/ops-routes.js';
import { blocklistsDir } from '../lists/bundled-lists.js';
import type { ListManager } from '../lists/list-manager.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { QueryHandler } from '../server/query-handler.js';
import type { StatsRecorder } from '../stats/stats-recorder.js';
import type { Db } from '../store/database.js';
import type { UpstreamPool } from '../upstream/upstream-pool.js';
import { adminsRoutes } from './admins-routes.js';
import type { ApiContext } from './api-context.js';
import { installErrorHandler, installNotFound } from './api-error.js';
import { installAuth } from './auth-hook.js';
import { httpsBaseUrl, networkProfilesRoutes } from './network-profiles-routes.js';
import { networksRoutes } from './networks-routes.js';
import { listsRoutes } from './lists-routes.js';
import { installOpenApi } from './openapi.js';
import { policiesRoutes } from './policies-routes.js';
import { publicReportRoute, reportsRoutes } from './reports-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { statsRoutes } from './stats-routes.js';
import { explainRoutes } from './explain-routes.js';
import { auditRoutes } from './audit-routes.js';
import { servicesRoutes } from './services-routes.js';
import { ApiErrorBody } from './schemas/common.js';
import { sessionRoutes } from './session-routes.js';
import { DEFAULT_IDLE_MS, Sessions } from './sessions.js';
import { SourceLimiter } from './source-limiter.js';

// Builds the HTTP application without listening (tests use `inject`; app.ts listens). It can
// be built more than once over the same services: the admin listener with everything, and a
// public one (`admin: false`) with only DoH, health and the public report, e.g. on HTTPS for
// devices away from home. Services shared by every build (sessions, rate limits) live in
// AppServices, so a limit counts across listeners.

export interface AppDeps {
  db: Db;
  config: Config;
  policy: PolicyService;
  lists: ListManager;
  stats: StatsRecorder;
  cache: ResponseCache;
  upstream: UpstreamPool;
  handler: QueryHandler;
  log: Logger;
}

export interface AppServiceOptions {
  /** a session ends after this long without a request (default 30 min) */
  sessionIdleMs?: number;
  /** the base networks' DoH URLs are written with (default http://<http.listen>) */
  publicBaseUrl?: string;
  /** failed logins per source and window before 429 (default 10 per 15 min) */
  loginFailures?: { max: number; windowMs: number };
  /** the folder holding the catalog.yaml offered to admins (default the shipped blocklists/; a
   *  site with its own list mirror points this at its own catalog) */
  catalogDir?: string;
  /** networks with their own metrics series; the rest are summed as "other" (default 20) */
  metricsNetworks?: number;
  /** public reports per source and window (default 10 per hour) */
  reports?: { max: number; windowMs: number };
}

export interface AppServices extends AppDeps {
  api: ApiContext;
  metrics: Registry;
  /** DoH answering, for the fastify routes and the listeners' fast path alike */
  doh: DohExchange;
}

export function createAppServices(deps: AppDeps, o: AppServiceOptions = {}): AppServices {
  const base = (o.publicBaseUrl ?? httpsBaseUrl(deps.config) ?? `http://${deps.config.http.listen}`).replace(/\/+$/, '');
  const api: ApiContext = {
    db: deps.db,
    config: deps.config,
    policy: deps.policy,
    lists: deps.lists,
    stats: deps.stats,
    sessions: new Sessions(deps.db, o.sessionIdleMs ?? DEFAULT_IDLE_MS),
    loginLimiter: new SourceLimiter(o.loginFailures ?? { max: 10, windowMs: 15 * 60_000 }),
    reportLimiter: new SourceLimiter(o.reports ?? { max: 10, windowMs: 60 * 60_000 }),
    catalogDir: o.catalogDir ?? blocklistsDir(),
    dohUrl: (token) => `${base}/dns-query/${token}`,
    log: deps.log.child({ stage: 'api' }),
  };
  const metrics = createMetrics({ stats: deps.stats, cache: deps.cache, upstream: deps.upstream, lists: deps.lists, maxNetworks: o.metricsNetworks ?? 20 });
  return { ...deps, api, metrics, doh: new DohExchange(deps.handler, deps.policy) };
}

export interface BuildAppOptions {
  /** the admin API, its documentation and the console; false: DoH, health and the public report only */
  admin: boolean;
  /** fastify server options (TLS, timeouts, limits); logging stays off whatever is given */
  server?: FastifyServerOptions & Record<string, unknown>;
  /** the built console's folder (default dist/console); it is served only with `admin` */
  consoleRoot?: string;
}

export interface BuiltApp {
  app: FastifyInstance;
  /** the console was found and is served */
  console: boolean;
}

const API_VERSION = '1.0.0';

export async function buildApp(s: AppServices, opts: BuildAppOptions): Promise<BuiltApp> {
  const app = Fastify({
    bodyLimit: 1024 * 1024,
    ...opts.server,
    // no request logging: it would write client addresses
    logger: false,
    // unknown fields are an error naming the field, not silently dropped
    ajv: { customOptions: { removeAdditional: false } },
  }) as unknown as FastifyInstance;
  installErrorHandler(app, s.api.log);
  app.addSchema(ApiErrorBody);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // the console's component library and the API reference set styles inline
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    // the console links to nothing that needs the referrer; the DoH URL carries a token
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(cookie);
  if (opts.admin) await installOpenApi(app, API_VERSION);

  dohRoutes(app, s.doh);
  healthRoutes(app, { cache: s.cache, upstream: s.upstream, lists: s.lists, handler: s.handler });
  opsRoutes(app, { db: s.db, lists: s.lists, upstream: s.upstream, metrics: opts.admin ? s.metrics : undefined });

  await app.register(publicReportRoute, { ctx: s.api });

  const served = opts.admin && (await consoleStatic(app, { root: opts.consoleRoot }));
  installNotFound(app, served ? (req, reply) => (wantsPage(req) ? sendConsolePage(reply) : null) : undefined);

  if (opts.admin) {
    await app.register(async (admin) => {
      installAuth(admin, s.api.sessions);
      await admin.register(sessionRoutes, { ctx: s.api });
      await admin.register(adminsRoutes, { ctx: s.api });
      await admin.register(networksRoutes, { ctx: s.api });
      await admin.register(networkProfilesRoutes, { ctx: s.api });
      await admin.register(policiesRoutes, { ctx: s.api });
      await admin.register(listsRoutes, { ctx: s.api });
      await admin.register(reportsRoutes, { ctx: s.api });
      await admin.register(statsRoutes, { ctx: s.api });
      await admin.register(explainRoutes, { ctx: s.api });
      await admin.register(auditRoutes, { ctx: s.api });
      await admin.register(settingsRoutes, { ctx: s.api, upstream: s.upstream, cache: s.cache });
      await admin.register(servicesRoutes, { ctx: s.api });
    });
  }
  return { app, console: served };
}
