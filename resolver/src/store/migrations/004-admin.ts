// admin: accounts, sessions, audit log, public reports, settings; who manages each network and policy
export const version = 4;
export const name = '004-admin';

const NOW = `(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

// `origin` says who declared a network or policy: the config file (re-imported at every start,
// so read-only through the API) or the admin API. Existing rows came from an import or the
// first-start defaults; the next import marks the file's own rows again.
export const sql = `
ALTER TABLE networks ADD COLUMN origin TEXT NOT NULL DEFAULT 'api' CHECK (origin IN ('config', 'api'));
ALTER TABLE policies ADD COLUMN origin TEXT NOT NULL DEFAULT 'api' CHECK (origin IN ('config', 'api'));

CREATE TABLE admins (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('owner', 'network-admin', 'viewer')),
  -- scrypt$N$r$p$<salt base64>$<hash base64>
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL DEFAULT ${NOW},
  updated_at    TEXT NOT NULL DEFAULT ${NOW}
);

CREATE TABLE admin_networks (
  admin_id   INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  PRIMARY KEY (admin_id, network_id)
) WITHOUT ROWID;

-- server-side sessions; the cookie carries a random token, the table only its SHA-256
CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  admin_id     INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  csrf_token   TEXT NOT NULL,
  created_at   TEXT NOT NULL DEFAULT ${NOW},
  last_seen_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_admin ON sessions (admin_id);

-- admin changes: who (the account, never a DNS client), when, what, before and after
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL DEFAULT ${NOW},
  admin_id    INTEGER,
  username    TEXT NOT NULL,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id   TEXT,
  target_name TEXT,
  before      TEXT CHECK (before IS NULL OR json_valid(before)),
  after       TEXT CHECK (after IS NULL OR json_valid(after))
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

-- the public reporting channel: no address, no user agent; the network the report came from
-- (resolved in memory from the source address, which is then forgotten) scopes the queue
CREATE TABLE reports (
  id          INTEGER PRIMARY KEY,
  domain      TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('harmful', 'wrongly-blocked')),
  message     TEXT NOT NULL DEFAULT '',
  network_id  INTEGER REFERENCES networks(id) ON DELETE SET NULL,
  status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
  created_at  TEXT NOT NULL DEFAULT ${NOW},
  resolved_at TEXT,
  resolved_by TEXT,
  policy_id   INTEGER REFERENCES policies(id) ON DELETE SET NULL
);
CREATE INDEX reports_status ON reports (status, id);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) WITHOUT ROWID;
`;
