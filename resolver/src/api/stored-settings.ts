import type { Config } from '../config/config-schema.js';
import type { Db } from '../store/database.js';
import { readSetting } from '../store/settings-repository.js';

// The upstreams and cache limits in effect: the configuration file's, with what an owner set
// through the API (`/api/settings`) on top. The file's own objects are not changed, so a reload
// of an unchanged file leaves the API's settings in place.

export const SETTING_UPSTREAMS = 'upstreams';
export const SETTING_CACHE = 'cache';

export function effectiveSettings(db: Db, config: Config): Pick<Config, 'upstreams' | 'cache'> {
  return {
    upstreams: readSetting<string[]>(db, SETTING_UPSTREAMS) ?? config.upstreams,
    cache: { ...config.cache, ...readSetting<Partial<Config['cache']>>(db, SETTING_CACHE) },
  };
}
