import type { FastifyPluginAsync } from 'fastify';
import type { ResponseCache } from '../cache/response-cache.js';
import { cacheOptions, upstreamOptions } from '../live-config.js';
import { recordAudit } from '../store/audit-repository.js';
import { deleteSetting, readSetting, writeSetting } from '../store/settings-repository.js';
import type { UpstreamPool } from '../upstream/upstream-pool.js';
import { parseUpstreamUrl } from '../upstream/upstream-url.js';
import { forbidden, invalid, invalidAll } from './api-error.js';
import { write, type ApiContext } from './api-context.js';
import { mayAdministrate } from './authorization.js';
import { ERRORS } from './schemas/common.js';
import { Settings, SettingsBody, type SettingsBodyT, type SettingsT } from './schemas/settings.js';
import { effectiveSettings, SETTING_CACHE, SETTING_UPSTREAMS } from './stored-settings.js';

// Upstreams and cache limits (owners only), applied to the running resolver at once and kept
// in SQLite over the configuration file's values.

export const settingsRoutes: FastifyPluginAsync<{ ctx: ApiContext; upstream: UpstreamPool; cache: ResponseCache }> = async (app, { ctx, upstream, cache }) => {
  const { db, config } = ctx;
  app.addHook('preHandler', async (req) => {
    if (!mayAdministrate(req.actor)) throw forbidden('only an owner changes upstreams and the cache');
  });
  const view = (): SettingsT => ({
    ...effectiveSettings(db, config),
    from_api: { upstreams: readSetting(db, SETTING_UPSTREAMS) !== undefined, cache: readSetting(db, SETTING_CACHE) !== undefined },
  });

  app.get('/api/settings', { schema: { tags: ['settings'], summary: 'Upstreams and cache limits in effect', response: { 200: Settings, ...ERRORS } } }, async () => view());

  app.patch<{ Body: SettingsBodyT }>('/api/settings', {
    schema: { tags: ['settings'], summary: 'Change upstreams or cache limits; applied at once, kept over the file\'s values', body: SettingsBody, response: { 200: Settings, ...ERRORS } },
  }, async (req) => {
    const b = req.body;
    const problems: { field: string; message: string }[] = [];
    (b.upstreams ?? []).forEach((u, i) => {
      try { parseUpstreamUrl(u); } catch (e) { problems.push({ field: `upstreams[${i}]`, message: (e as Error).message }); }
    });
    if (problems.length) throw invalidAll(problems);
    const before = view();
    const storedCache = { ...readSetting<object>(db, SETTING_CACHE), ...b.cache };
    const nextCache = { ...config.cache, ...(b.reset?.includes('cache') ? {} : storedCache) };
    if (nextCache.min_ttl > nextCache.max_ttl) throw invalid('cache.min_ttl', 'must not exceed cache.max_ttl');
    const after = write(ctx, () => {
      for (const key of b.reset ?? []) deleteSetting(db, key);
      if (b.upstreams && !b.reset?.includes('upstreams')) writeSetting(db, SETTING_UPSTREAMS, b.upstreams);
      if (b.cache && !b.reset?.includes('cache')) writeSetting(db, SETTING_CACHE, storedCache);
      const v = view();
      recordAudit(db, { adminId: req.actor.id, username: req.actor.username, action: 'settings.update', targetType: 'settings', before, after: v });
      return v;
    }, { config: false });
    upstream.replace(after.upstreams.map(parseUpstreamUrl), upstreamOptions(config));
    cache.reconfigure(cacheOptions({ ...config, cache: after.cache }));
    return after;
  });
};
