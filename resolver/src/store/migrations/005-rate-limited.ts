// stats: UDP answers held back by response rate limiting, per network and hour (an aggregate
// like the others: the limited prefix itself is never stored)
export const version = 5;
export const name = '005-rate-limited';
export const sql = `
ALTER TABLE stats_hourly ADD COLUMN rate_limited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_daily ADD COLUMN rate_limited INTEGER NOT NULL DEFAULT 0;
`;
