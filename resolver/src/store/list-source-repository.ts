import type { DeclaredSource, ListSourceRow, ListSourceStore, SourceFormat, SourceOrigin } from '../lists/list-source-types.js';
import type { InvalidLine } from '../lists/rule-types.js';
import type { SourceStats } from '../lists/source-compiler.js';
import { allocateCategoryBits } from './category-bit-repository.js';
import type { Db } from './database.js';

// The list_sources table (migration 002): declared sources and their refresh state. Sources
// from the config file and the shipped default set are re-imported at every start; rows the
// admin API created are never touched by an import.

interface RawRow {
  id: number; name: string; category: string; source: string; format: SourceFormat; enabled: number;
  refresh_hours: number | null; description: string | null; license: string | null; origin: SourceOrigin;
  last_attempt_at: string | null; last_success_at: string | null; last_error: string | null;
  etag: string | null; last_modified: string | null; content_sha256: string | null; content_bytes: number | null;
  detected_format: string | null; entries_block: number; entries_allow: number; entries_important: number;
  entries_regex: number; regex_over_cap: number; skipped_count: number; invalid_count: number; invalid_sample: string;
}

function toRow(r: RawRow): ListSourceRow {
  return {
    id: r.id, name: r.name, category: r.category, source: r.source, format: r.format, enabled: r.enabled === 1,
    refreshHours: r.refresh_hours, description: r.description, license: r.license, origin: r.origin,
    lastAttemptAt: r.last_attempt_at, lastSuccessAt: r.last_success_at, lastError: r.last_error,
    etag: r.etag, lastModified: r.last_modified, contentSha256: r.content_sha256, contentBytes: r.content_bytes,
    detectedFormat: r.detected_format,
    entries: { block: r.entries_block, allow: r.entries_allow, important: r.entries_important, regex: r.entries_regex },
    regexOverCap: r.regex_over_cap, skipped: r.skipped_count, invalid: r.invalid_count,
    invalidSample: JSON.parse(r.invalid_sample) as InvalidLine[],
  };
}

export class ListSourceRepository implements ListSourceStore {
  constructor(private readonly db: Db) {}

  /**
   * Makes the rows of `origin` exactly `sources`: upsert by name, delete the ones no longer
   * declared. A changed location forgets the validators and digest, so it is fetched afresh.
   * A name the admin API owns keeps the API's definition. Returns the names deleted.
   */
  importDeclared(sources: DeclaredSource[], origin: Exclude<SourceOrigin, 'api'>): string[] {
    const now = new Date().toISOString();
    const upsert = this.db.prepare(`
      INSERT INTO list_sources (name, category, source, format, enabled, refresh_hours, description, license, origin, created_at, updated_at)
      VALUES (@name, @category, @source, @format, @enabled, @refreshHours, @description, @license, @origin, @now, @now)
      ON CONFLICT (name) DO UPDATE SET
        etag = CASE WHEN source = excluded.source THEN etag ELSE NULL END,
        last_modified = CASE WHEN source = excluded.source THEN last_modified ELSE NULL END,
        content_sha256 = CASE WHEN source = excluded.source THEN content_sha256 ELSE NULL END,
        category = excluded.category, source = excluded.source, format = excluded.format,
        enabled = excluded.enabled, refresh_hours = excluded.refresh_hours,
        description = excluded.description, license = excluded.license, updated_at = excluded.updated_at
      WHERE origin = excluded.origin`);
    const names = new Set(sources.map((s) => s.name));
    return this.db.transaction(() => {
      for (const s of sources) upsert.run({ ...s, enabled: s.enabled ? 1 : 0, origin, now });
      const existing = this.db.prepare('SELECT name FROM list_sources WHERE origin = ?').pluck().all(origin) as string[];
      const del = this.db.prepare('DELETE FROM list_sources WHERE name = ?');
      const gone = existing.filter((n) => !names.has(n));
      for (const n of gone) del.run(n);
      return gone;
    })();
  }

  all(): ListSourceRow[] {
    return (this.db.prepare('SELECT * FROM list_sources ORDER BY id').all() as RawRow[]).map(toRow);
  }

  get(name: string): ListSourceRow | undefined {
    const r = this.db.prepare('SELECT * FROM list_sources WHERE name = ?').get(name) as RawRow | undefined;
    return r && toRow(r);
  }

  recordSuccess(name: string, at: string, v: { etag: string | null; lastModified: string | null; sha256: string; bytes: number }): void {
    this.db.prepare(`UPDATE list_sources SET last_attempt_at = ?, last_success_at = ?, last_error = NULL,
      etag = ?, last_modified = ?, content_sha256 = ?, content_bytes = ? WHERE name = ?`)
      .run(at, at, v.etag, v.lastModified, v.sha256, v.bytes, name);
  }

  /** A 304 or an unchanged file: the copy is current as of `at`. */
  recordUnchanged(name: string, at: string): void {
    this.db.prepare('UPDATE list_sources SET last_attempt_at = ?, last_success_at = ?, last_error = NULL WHERE name = ?').run(at, at, name);
  }

  recordError(name: string, at: string, error: string): void {
    this.db.prepare('UPDATE list_sources SET last_attempt_at = ?, last_error = ? WHERE name = ?').run(at, error, name);
  }

  recordStats(name: string, s: SourceStats): void {
    this.db.prepare(`UPDATE list_sources SET detected_format = ?, entries_block = ?, entries_allow = ?, entries_important = ?,
      entries_regex = ?, regex_over_cap = ?, skipped_count = ?, invalid_count = ?, invalid_sample = ? WHERE name = ?`)
      .run(s.format, s.block, s.allow, s.important, s.regex, s.regexOverCap, s.skipped, s.invalid, JSON.stringify(s.invalidSample), name);
  }

  categoryBits(names: Iterable<string>): Map<string, number> {
    return allocateCategoryBits(this.db, names);
  }

  /** A source the admin API declares; the name must be free. Returns its id. */
  insertApiSource(src: DeclaredSource): number {
    const now = new Date().toISOString();
    return this.db.prepare(`
      INSERT INTO list_sources (name, category, source, format, enabled, refresh_hours, description, license, origin, created_at, updated_at)
      VALUES (@name, @category, @source, @format, @enabled, @refreshHours, @description, @license, 'api', @now, @now) RETURNING id`)
      .pluck().get({ ...src, enabled: src.enabled ? 1 : 0, now }) as number;
  }

  /** Replaces an API source's definition; a new location forgets the validators and digest. */
  updateApiSource(id: number, src: DeclaredSource): void {
    this.db.prepare(`
      UPDATE list_sources SET
        etag = CASE WHEN source = @source THEN etag ELSE NULL END,
        last_modified = CASE WHEN source = @source THEN last_modified ELSE NULL END,
        content_sha256 = CASE WHEN source = @source THEN content_sha256 ELSE NULL END,
        name = @name, category = @category, source = @source, format = @format, enabled = @enabled,
        refresh_hours = @refreshHours, description = @description, license = @license, updated_at = @now
      WHERE id = @id AND origin = 'api'`)
      .run({ ...src, enabled: src.enabled ? 1 : 0, now: new Date().toISOString(), id });
  }

  byId(id: number): ListSourceRow | undefined {
    const r = this.db.prepare('SELECT * FROM list_sources WHERE id = ?').get(id) as RawRow | undefined;
    return r && toRow(r);
  }

  deleteApiSource(id: number): boolean {
    return this.db.prepare("DELETE FROM list_sources WHERE id = ? AND origin = 'api'").run(id).changes > 0;
  }
}
