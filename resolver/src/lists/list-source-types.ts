import type { InvalidLine } from './rule-types.js';
import type { SourceStats } from './source-compiler.js';

// What the list manager knows of its sources: plain data, and the store it reads them from and
// records their refresh state in (store/list-source-repository.ts implements it over SQLite).

export type SourceOrigin = 'config' | 'bundled' | 'api';
export type SourceFormat = 'auto' | 'hosts' | 'domains' | 'adblock' | 'dnsmasq' | 'rpz' | 'regex';

export interface DeclaredSource {
  name: string;
  category: string;
  /** absolute file path or http(s) URL */
  source: string;
  format: SourceFormat;
  enabled: boolean;
  refreshHours: number | null;
  description: string | null;
  license: string | null;
}

export interface ListSourceRow extends DeclaredSource {
  id: number;
  origin: SourceOrigin;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  etag: string | null;
  lastModified: string | null;
  contentSha256: string | null;
  contentBytes: number | null;
  detectedFormat: string | null;
  entries: { block: number; allow: number; important: number; regex: number };
  regexOverCap: number;
  skipped: number;
  invalid: number;
  invalidSample: InvalidLine[];
}


/** The list manager's view of the source table. */
export interface ListSourceStore {
  /** Makes the rows of `origin` exactly `sources`; returns the names deleted. */
  importDeclared(sources: DeclaredSource[], origin: Exclude<SourceOrigin, 'api'>): string[];
  all(): ListSourceRow[];
  get(name: string): ListSourceRow | undefined;
  recordSuccess(name: string, at: string, v: { etag: string | null; lastModified: string | null; sha256: string; bytes: number }): void;
  recordUnchanged(name: string, at: string): void;
  recordError(name: string, at: string, error: string): void;
  recordStats(name: string, s: SourceStats): void;
  /** Every category's persisted bit, giving `names` one first if they have none. */
  categoryBits(names: Iterable<string>): Map<string, number>;
}
