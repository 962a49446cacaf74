// lists: blocklist sources and their refresh state
export const version = 2;
export const name = '002-lists';
export const sql = `
CREATE TABLE list_sources (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  category         TEXT NOT NULL,
  -- a file path (absolute, already resolved against the config directory) or an http(s) URL
  source           TEXT NOT NULL,
  format           TEXT NOT NULL DEFAULT 'auto'
                   CHECK (format IN ('auto', 'hosts', 'domains', 'adblock', 'dnsmasq', 'rpz', 'regex')),
  enabled          INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- NULL: lists.refresh_hours from the config
  refresh_hours    REAL CHECK (refresh_hours IS NULL OR refresh_hours > 0),
  description      TEXT,
  license          TEXT,
  -- who declared it: the config file (re-imported at every start), the shipped default set,
  -- or the admin API (never touched by an import)
  origin           TEXT NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'bundled', 'api')),
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,

  -- refresh state
  last_attempt_at  TEXT,
  last_success_at  TEXT,
  last_error       TEXT,
  etag             TEXT,
  last_modified    TEXT,
  content_sha256   TEXT,
  content_bytes    INTEGER,
  detected_format  TEXT,
  entries_block    INTEGER NOT NULL DEFAULT 0,
  entries_allow    INTEGER NOT NULL DEFAULT 0,
  entries_important INTEGER NOT NULL DEFAULT 0,
  entries_regex    INTEGER NOT NULL DEFAULT 0,
  regex_over_cap   INTEGER NOT NULL DEFAULT 0,
  skipped_count    INTEGER NOT NULL DEFAULT 0,
  invalid_count    INTEGER NOT NULL DEFAULT 0,
  -- JSON array of the first invalid lines: [{ "line": 12, "text": "...", "reason": "..." }]
  invalid_sample   TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX list_sources_enabled ON list_sources (enabled);
`;
