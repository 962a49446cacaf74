import type { Config } from '../config/config-schema.js';
import { bundledSources } from './bundled-lists.js';
import { WELL_KNOWN_CATEGORIES } from './categories.js';

// The category names a policy may block: the well-known ones (fixed bits, used by the
// shipped catalog) and every category a configured or bundled list brings. A name outside
// this set would block nothing, so the configuration check reports it as a mistake.

export function knownCategories(c: Pick<Config, 'blocklists' | 'lists'>): Set<string> {
  const out = new Set<string>(WELL_KNOWN_CATEGORIES);
  for (const b of c.blocklists) out.add(b.category.toLowerCase());
  if (c.lists.bundled) for (const b of bundledSources()) out.add(b.category.toLowerCase());
  return out;
}
