import * as core from './001-core.js';
import * as lists from './002-lists.js';
import * as stats from './003-stats.js';
import * as admin from './004-admin.js';
import * as rateLimited from './005-rate-limited.js';
import * as categoryBits from './006-category-bits.js';
import * as services from './007-services.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Append only: a released migration is never edited, a change is a new file.
export const MIGRATIONS: Migration[] = [core, lists, stats, admin, rateLimited, categoryBits, services].map((m) => ({ version: m.version, name: m.name, sql: m.sql }));
