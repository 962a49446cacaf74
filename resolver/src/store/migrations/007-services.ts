// services: apps toggled per policy and per schedule
import { revisionTriggers } from './revision-triggers.js';
export const version = 7;
export const name = '007-services';

// Service or group ids as written (`tiktok`, `games`), not expanded: a catalog update that adds
// a game to `games` applies to every policy naming the group. Configuration tables, so the
// same revision triggers as migration 001 make every process pick a change up.
const triggers = revisionTriggers(['policy_services', 'schedule_services']);

export const sql = `
CREATE TABLE policy_services (
  policy_id INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  service   TEXT NOT NULL,
  PRIMARY KEY (policy_id, service)
) WITHOUT ROWID;
CREATE TABLE schedule_services (
  schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
  service     TEXT NOT NULL,
  PRIMARY KEY (schedule_id, service)
) WITHOUT ROWID;
${triggers}
`;
