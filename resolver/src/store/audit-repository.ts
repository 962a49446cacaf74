import type { Db } from './database.js';

// The audit log of admin changes. It names admin accounts, never DNS clients; `before` and
// `after` are the API's own views of the object (no password hash, no session token).

export interface AuditEntry {
  id: number;
  at: string;
  admin_id: number | null;
  username: string;
  action: string;
  target_type: string;
  target_id: string | null;
  target_name: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditInput {
  adminId: number | null;
  username: string;
  action: string;
  targetType: string;
  targetId?: number | string | null;
  targetName?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditFilter {
  username?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO timestamps, inclusive start and exclusive end */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Run inside the transaction of the change it records, so neither exists without the other. */
export function recordAudit(db: Db, e: AuditInput): void {
  db.prepare(
    `INSERT INTO audit_log (admin_id, username, action, target_type, target_id, target_name, before, after)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(e.adminId, e.username, e.action, e.targetType, e.targetId === undefined || e.targetId === null ? null : String(e.targetId), e.targetName ?? null, json(e.before), json(e.after));
}

export function queryAudit(db: Db, f: AuditFilter): { total: number; entries: AuditEntry[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.username !== undefined) { where.push('username = ?'); args.push(f.username); }
  if (f.action !== undefined) { where.push('action = ?'); args.push(f.action); }
  if (f.targetType !== undefined) { where.push('target_type = ?'); args.push(f.targetType); }
  if (f.targetId !== undefined) { where.push('target_id = ?'); args.push(f.targetId); }
  if (f.from !== undefined) { where.push('at >= ?'); args.push(f.from); }
  if (f.to !== undefined) { where.push('at < ?'); args.push(f.to); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare(`SELECT count(*) FROM audit_log ${w}`).pluck().get(...args) as number;
  const rows = db
    .prepare(`SELECT id, at, admin_id, username, action, target_type, target_id, target_name, before, after FROM audit_log ${w} ORDER BY id DESC LIMIT ? OFFSET ?`)
    .all(...args, f.limit, f.offset) as (Omit<AuditEntry, 'before' | 'after'> & { before: string | null; after: string | null })[];
  return {
    total,
    entries: rows.map((r) => ({ ...r, before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after) })),
  };
}
