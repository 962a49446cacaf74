import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { DeclaredSource, SourceFormat } from './list-source-types.js';

// The small default set shipped in blocklists/default/, so a fresh install filters something
// before any network fetch. Its manifest names each file's category, format and provenance.

/** The repository's blocklists/ folder, found from this module in sources and in dist/ alike. */
export function blocklistsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'blocklists');
    if (existsSync(join(candidate, 'default', 'sources.yaml'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('lists: shipped blocklists/ folder not found');
}

interface ManifestEntry {
  name: string;
  category: string;
  file: string;
  format?: SourceFormat;
  description?: string;
  license?: string;
}

/**
 * A manifest file is a path in blocklists/default/, or `npm:<package>/<path>` for real data
 * that arrives as an npm dependency (installed with Nestguard, so it works offline too).
 */
function locate(dir: string, file: string): string {
  if (!file.startsWith('npm:')) return resolve(dir, file);
  return createRequire(import.meta.url).resolve(file.slice(4));
}

export function bundledSources(): DeclaredSource[] {
  const dir = join(blocklistsDir(), 'default');
  const manifest = parseYaml(readFileSync(join(dir, 'sources.yaml'), 'utf8')) as { sources: ManifestEntry[] };
  return manifest.sources.map((e) => ({
    name: e.name,
    category: e.category,
    source: locate(dir, e.file),
    format: e.format ?? 'auto',
    enabled: true,
    refreshHours: null,
    description: e.description ?? null,
    license: e.license ?? null,
  }));
}
