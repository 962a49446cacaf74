// core: networks, policies, rules, schedules
import { revisionTriggers } from './revision-triggers.js';
export const version = 1;
export const name = '001-core';

// Every table whose rows shape what the resolver decides. A write to any of them, from this
// process or another one sharing the file, bumps meta.config_revision through a trigger, so
// the resolver's reload check is one primary-key read and commits that are not configuration
// (statistics, list refresh state) never cause a policy rebuild.
const CONFIG_TABLES = [
  'policies',
  'policy_categories',
  'policy_rules',
  'schedules',
  'schedule_categories',
  'schedule_rules',
  'schedule_exceptions',
  'networks',
  'network_cidrs',
];

const NOW = `(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

const triggers = revisionTriggers(CONFIG_TABLES);

export const sql = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('config_revision', '0');

CREATE TABLE policies (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  block_mode  TEXT NOT NULL DEFAULT 'nxdomain' CHECK (block_mode IN ('nxdomain', 'null', 'refused', 'custom')),
  -- JSON array of IPv4/IPv6 addresses answered for block_mode 'custom'
  block_ips   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(block_ips) AND json_type(block_ips) = 'array'),
  block_ttl   INTEGER NOT NULL DEFAULT 60 CHECK (block_ttl BETWEEN 0 AND 86400),
  -- JSON object in the config file's safe_search shape: {"google":true,"youtube":"strict",...}
  safe_search TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(safe_search) AND json_type(safe_search) = 'object'),
  created_at  TEXT NOT NULL DEFAULT ${NOW},
  updated_at  TEXT NOT NULL DEFAULT ${NOW}
);

-- category names, not bits: bits of admin-invented categories are assigned per process
CREATE TABLE policy_categories (
  policy_id INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  category  TEXT NOT NULL,
  PRIMARY KEY (policy_id, category)
) WITHOUT ROWID;

CREATE TABLE policy_rules (
  id        INTEGER PRIMARY KEY,
  policy_id INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  action    TEXT NOT NULL CHECK (action IN ('deny', 'allow')),
  rule      TEXT NOT NULL,
  position  INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT ${NOW}
);
CREATE INDEX policy_rules_policy ON policy_rules (policy_id, action, position);

CREATE TABLE schedules (
  id        INTEGER PRIMARY KEY,
  policy_id INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  -- comma-separated weekdays: 'mon,tue,wed'
  days      TEXT NOT NULL,
  from_time TEXT NOT NULL CHECK (from_time GLOB '[0-2][0-9]:[0-5][0-9]'),
  to_time   TEXT NOT NULL CHECK (to_time GLOB '[0-2][0-9]:[0-5][0-9]'),
  position  INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT ${NOW},
  updated_at TEXT NOT NULL DEFAULT ${NOW},
  UNIQUE (policy_id, name)
);

CREATE TABLE schedule_categories (
  schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
  category    TEXT NOT NULL,
  PRIMARY KEY (schedule_id, category)
) WITHOUT ROWID;

CREATE TABLE schedule_rules (
  id          INTEGER PRIMARY KEY,
  schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
  action      TEXT NOT NULL CHECK (action IN ('deny', 'allow')),
  rule        TEXT NOT NULL,
  position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX schedule_rules_schedule ON schedule_rules (schedule_id, action, position);

-- inclusive local dates (the network's time zone) on which a window does not apply
CREATE TABLE schedule_exceptions (
  id          INTEGER PRIMARY KEY,
  schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
  from_date   TEXT NOT NULL CHECK (from_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  to_date     TEXT NOT NULL CHECK (to_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  name        TEXT NOT NULL DEFAULT '',
  CHECK (from_date <= to_date)
);
CREATE INDEX schedule_exceptions_schedule ON schedule_exceptions (schedule_id);

CREATE TABLE networks (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  kind       TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('school', 'home', 'isp', 'other')),
  timezone   TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
  contact    TEXT NOT NULL DEFAULT '',
  doh_token  TEXT UNIQUE,
  policy_id  INTEGER NOT NULL REFERENCES policies(id) ON DELETE RESTRICT,
  created_at TEXT NOT NULL DEFAULT ${NOW},
  updated_at TEXT NOT NULL DEFAULT ${NOW}
);
CREATE INDEX networks_policy ON networks (policy_id);

-- canonical text form ("10.1.0.0/16", "2001:db8::/32"); overlap is allowed, the longest prefix wins
CREATE TABLE network_cidrs (
  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  cidr       TEXT NOT NULL,
  PRIMARY KEY (network_id, cidr)
) WITHOUT ROWID;

${triggers}
`;
