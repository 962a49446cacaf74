import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { blocklistsDir } from './bundled-lists.js';
import type { SourceFormat } from './list-source-types.js';

// blocklists/catalog.yaml: well-known public sources per category, none active until an admin
// enables one (the admin API copies the entry into the source table).

export interface CatalogEntry {
  name: string;
  category: string;
  url: string;
  format: SourceFormat;
  license: string;
  homepage: string;
  description: string;
}

export function readCatalog(dir = blocklistsDir()): CatalogEntry[] {
  const doc = parseYaml(readFileSync(join(dir, 'catalog.yaml'), 'utf8')) as { sources?: Partial<CatalogEntry>[] };
  return (doc.sources ?? []).map((e) => ({
    name: String(e.name),
    category: String(e.category),
    url: String(e.url),
    format: (e.format ?? 'auto') as SourceFormat,
    license: e.license ?? '',
    homepage: e.homepage ?? '',
    description: e.description ?? '',
  }));
}
