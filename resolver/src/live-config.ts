import type { Logger } from 'pino';
import type { ResponseCache, CacheOptions } from './cache/response-cache.js';
import type { Config } from './config/config-schema.js';
import type { LoadedConfig } from './config/load-config.js';
import type { ListManager } from './lists/list-manager.js';
import type { Reloader } from './reloader.js';
import type { HandlerOptions } from './server/query-handler.js';
import { importConfig } from './store/config-import.js';
import type { Db } from './store/database.js';
import type { UpstreamPool, UpstreamPoolOptions } from './upstream/upstream-pool.js';
import { parseUpstreamUrl } from './upstream/upstream-url.js';

// Which parts of the configuration a running Nestguard takes in on a reload, and how:
// policies and networks through the store (as at start), upstreams and cache limits by their
// own components, resolver timers in place (the query handler reads them on every query),
// lists re-read. What is bound at start (sockets, data directory, workers, log setup, stats
// timers) is named for a restart instead.

export function cacheOptions(c: Config): CacheOptions {
  return {
    maxEntries: c.cache.max_entries,
    maxBytes: c.cache.max_bytes,
    minTtl: c.cache.min_ttl,
    maxTtl: c.cache.max_ttl,
    negativeMaxTtl: c.cache.negative_max_ttl,
    staleWindowS: c.cache.stale_window_s,
  };
}

export function handlerOptions(c: Config): HandlerOptions {
  return {
    resolveTimeoutMs: c.upstream.resolve_timeout_ms,
    staleAnswerTtl: c.cache.stale_answer_ttl,
    staleAnswerTimeoutMs: c.cache.stale_answer_timeout_ms,
    prefetch: c.cache.prefetch,
    maxWaiting: c.upstream.max_waiting,
    // read once, when the handler is built (dns.* needs a restart)
    rateLimit: {
      ratelimit: c.dns.ratelimit,
      slip: c.dns.ratelimit_slip,
      ipv4Prefix: c.dns.ratelimit_ipv4_prefix,
      ipv6Prefix: c.dns.ratelimit_ipv6_prefix,
      exempt: c.dns.ratelimit_exempt,
    },
  };
}

export function upstreamOptions(c: Config): Omit<UpstreamPoolOptions, 'logger'> {
  return { tryTimeoutMs: c.upstream.try_timeout_ms, tlsCaFile: c.upstream.tls_ca_file };
}

/** Keys read once at start: a change is reported as needing a restart. */
const START_ONLY: ReadonlyArray<keyof Config> = ['data_dir', 'log_level', 'log_format', 'config_watch', 'dns', 'http', 'stats'];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface LiveParts {
  db: Db;
  lists: ListManager;
  cache: ResponseCache;
  upstream: UpstreamPool;
  /** the very object the query handler holds */
  handler: HandlerOptions;
  log: Logger;
}

export function registerConfigSteps(reloader: Reloader, p: LiveParts): void {
  // first: the store may still refuse the file (a network naming a policy that exists
  // nowhere), and nothing else should change then
  reloader.register('policies and networks', (next, prev) => {
    const c = next.config;
    if (same([c.policies, c.networks], [prev.config.policies, prev.config.networks])) return;
    const { warnings } = importConfig(p.db, c);
    for (const w of warnings) p.log.warn(`policy: ${w}`);
    const kept = (what: 'policies' | 'networks') =>
      prev.config[what].map((x) => x.name).filter((n) => !c[what].some((x) => x.name === n));
    const gone = [...kept('policies'), ...kept('networks')];
    if (gone.length) p.log.warn(`config: no longer in the file but kept in the store (delete them in the console if they should go): ${gone.join(', ')}`);
    return { applied: 'policies and networks' };
  });
  reloader.register('upstreams', (next, prev) => {
    const c = next.config;
    if (same([c.upstreams, upstreamOptions(c)], [prev.config.upstreams, upstreamOptions(prev.config)])) return;
    p.upstream.replace(c.upstreams.map(parseUpstreamUrl), upstreamOptions(c));
    return { applied: 'upstreams' };
  });
  reloader.register('resolver timers', (next, prev) => {
    const o = handlerOptions(next.config);
    if (same(o, handlerOptions(prev.config))) return;
    Object.assign(p.handler, o);
    return { applied: 'resolve and stale-answer timers' };
  });
  reloader.register('cache', (next, prev) => {
    const o = cacheOptions(next.config);
    if (same(o, cacheOptions(prev.config))) return;
    p.cache.reconfigure(o);
    return { applied: 'cache limits' };
  });
  reloader.register('lists', (next: LoadedConfig) => {
    // every source is read again (as SIGHUP always did); fetching runs on in the background
    p.lists.reconfigure(next.config, next.baseDir).catch((e: Error) => p.log.error(`lists: refresh failed, the last good lists stay: ${e.message}`));
    return { applied: 'lists re-read' };
  });
  reloader.register('start-only settings', (next, prev) => {
    const changed = START_ONLY.filter((k) => !same(next.config[k], prev.config[k]));
    return changed.length ? { needsRestart: changed.map(String) } : undefined;
  });
}
