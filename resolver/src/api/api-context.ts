import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.js';
import type { ListManager } from '../lists/list-manager.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { StatsRecorder } from '../stats/stats-recorder.js';
import { announceConfigWrite } from '../store/config-revision.js';
import type { Db } from '../store/database.js';
import type { Sessions } from './sessions.js';
import type { SourceLimiter } from './source-limiter.js';

// What the admin routes share: the store and the engine's seams. Routes reach the resolver
// only through these (repositories + the live-apply announcement), never the query path.

export interface ApiContext {
  db: Db;
  config: Config;
  policy: PolicyService;
  lists: ListManager;
  stats: StatsRecorder;
  sessions: Sessions;
  loginLimiter: SourceLimiter;
  reportLimiter: SourceLimiter;
  /** folder of the catalog.yaml of well-known sources */
  catalogDir: string;
  /** the DoH URL that carries a network's token */
  dohUrl: (token: string) => string;
  log: Logger;
}

/**
 * Runs `fn` in one write transaction; when it changed configuration the resolver is told
 * after the commit, so the new policy serves before the response leaves.
 */
export function write<T>(ctx: ApiContext, fn: () => T, opts: { config: boolean }): T {
  const result = ctx.db.transaction(fn).immediate();
  if (opts.config) announceConfigWrite(ctx.db);
  return result;
}
