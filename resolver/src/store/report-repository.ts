import type { Db } from './database.js';

// The public reports of harmful or wrongly blocked sites, and their decisions. A report holds
// the domain, the kind, the reporter's optional words and the network it came from: no
// address, no user agent, nothing else about the person.

export type ReportKind = 'harmful' | 'wrongly-blocked';
export type ReportStatus = 'open' | 'accepted' | 'rejected';

export interface StoredReport {
  id: number;
  domain: string;
  kind: ReportKind;
  message: string;
  network_id: number | null;
  network: string | null;
  status: ReportStatus;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  policy_id: number | null;
}

const SELECT = `SELECT r.id, r.domain, r.kind, r.message, r.network_id, n.name AS network, r.status, r.created_at,
  r.resolved_at, r.resolved_by, r.policy_id FROM reports r LEFT JOIN networks n ON n.id = r.network_id`;

export function insertReport(db: Db, r: { domain: string; kind: ReportKind; message: string; networkId: number | null }): number {
  return db.prepare('INSERT INTO reports (domain, kind, message, network_id) VALUES (?, ?, ?, ?) RETURNING id').pluck().get(r.domain, r.kind, r.message, r.networkId) as number;
}

export function getReport(db: Db, id: number): StoredReport | undefined {
  return db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as StoredReport | undefined;
}

/**
 * Reports, newest first, of the given status (all when absent) and from the given networks
 * ('all', or ids; null in the list means "from no network").
 */
export function queryReports(db: Db, f: { status?: ReportStatus; networks: 'all' | readonly (number | null)[]; limit: number; offset: number }): { total: number; reports: StoredReport[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.status) { where.push('r.status = ?'); args.push(f.status); }
  if (f.networks !== 'all') {
    const ids = f.networks.filter((n): n is number => n !== null);
    const parts = [`r.network_id IN (SELECT value FROM json_each(?))`];
    args.push(JSON.stringify(ids));
    if (f.networks.includes(null)) parts.push('r.network_id IS NULL');
    where.push(`(${parts.join(' OR ')})`);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare(`SELECT count(*) FROM reports r ${w}`).pluck().get(...args) as number;
  const reports = db.prepare(`${SELECT} ${w} ORDER BY r.id DESC LIMIT ? OFFSET ?`).all(...args, f.limit, f.offset) as StoredReport[];
  return { total, reports };
}

export function resolveReport(db: Db, id: number, r: { status: Exclude<ReportStatus, 'open'>; by: string; policyId: number | null }): void {
  db.prepare(`UPDATE reports SET status = ?, resolved_by = ?, policy_id = ?, resolved_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`)
    .run(r.status, r.by, r.policyId, id);
}
