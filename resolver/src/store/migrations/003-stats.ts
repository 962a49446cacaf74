// stats: aggregate counters
export const version = 3;
export const name = '003-stats';
// Counters only: no client, no allowed name. Hours are UTC epoch hours (ms / 3_600_000),
// days UTC epoch days. network_id 0 is the "unmatched" pseudo network (REFUSED clients).
// No foreign key to networks: statistics outlive a deleted network, and stats_networks
// keeps the name it last had so old reports still read well.
// A count lives in exactly one place: hourly rows are moved (not copied) into daily rows
// when they age out, so day-level reads add the two tables without double counting.
export const sql = `
CREATE TABLE stats_networks (
  network_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE TABLE stats_hourly (
  hour INTEGER NOT NULL,
  network_id INTEGER NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  blocked INTEGER NOT NULL DEFAULT 0,
  rewritten INTEGER NOT NULL DEFAULT 0,
  cache_hits INTEGER NOT NULL DEFAULT 0,
  upstream_errors INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, network_id)
) WITHOUT ROWID;
CREATE TABLE stats_category_hourly (
  hour INTEGER NOT NULL,
  network_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  blocked INTEGER NOT NULL,
  PRIMARY KEY (hour, network_id, category)
) WITHOUT ROWID;
CREATE TABLE stats_daily (
  day INTEGER NOT NULL,
  network_id INTEGER NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  blocked INTEGER NOT NULL DEFAULT 0,
  rewritten INTEGER NOT NULL DEFAULT 0,
  cache_hits INTEGER NOT NULL DEFAULT 0,
  upstream_errors INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, network_id)
) WITHOUT ROWID;
CREATE TABLE stats_category_daily (
  day INTEGER NOT NULL,
  network_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  blocked INTEGER NOT NULL,
  PRIMARY KEY (day, network_id, category)
) WITHOUT ROWID;
CREATE TABLE stats_blocked_domains (
  day INTEGER NOT NULL,
  domain TEXT NOT NULL,
  blocked INTEGER NOT NULL,
  PRIMARY KEY (day, domain)
) WITHOUT ROWID;
`;
