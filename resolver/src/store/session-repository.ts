import type { Db } from './database.js';

// Server-side admin sessions. `id` is the SHA-256 of the cookie's token (a copied database
// cannot be used to log in); idleness is judged by `last_seen_ms`.

export interface StoredSession {
  id: string;
  adminId: number;
  csrfToken: string;
  createdAt: string;
  lastSeenMs: number;
}

interface Row { id: string; admin_id: number; csrf_token: string; created_at: string; last_seen_ms: number }

const toSession = (r: Row): StoredSession => ({ id: r.id, adminId: r.admin_id, csrfToken: r.csrf_token, createdAt: r.created_at, lastSeenMs: r.last_seen_ms });

export function insertSession(db: Db, s: { id: string; adminId: number; csrfToken: string; nowMs: number }): void {
  db.prepare('INSERT INTO sessions (id, admin_id, csrf_token, last_seen_ms) VALUES (?, ?, ?, ?)').run(s.id, s.adminId, s.csrfToken, s.nowMs);
}

export function getSession(db: Db, id: string): StoredSession | undefined {
  const r = db.prepare('SELECT id, admin_id, csrf_token, created_at, last_seen_ms FROM sessions WHERE id = ?').get(id) as Row | undefined;
  return r && toSession(r);
}

export function sessionsOf(db: Db, adminId: number): StoredSession[] {
  return (db.prepare('SELECT id, admin_id, csrf_token, created_at, last_seen_ms FROM sessions WHERE admin_id = ? ORDER BY last_seen_ms DESC').all(adminId) as Row[]).map(toSession);
}

export function touchSession(db: Db, id: string, nowMs: number): void {
  db.prepare('UPDATE sessions SET last_seen_ms = ? WHERE id = ?').run(nowMs, id);
}

export function deleteSession(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
}

/** Ends every session of an admin but `keep` (a password change keeps the one that made it). */
export function deleteSessionsOf(db: Db, adminId: number, keep?: string): number {
  return db.prepare('DELETE FROM sessions WHERE admin_id = ? AND id IS NOT ?').run(adminId, keep ?? null).changes;
}

export function deleteIdleSessions(db: Db, idleBeforeMs: number): number {
  return db.prepare('DELETE FROM sessions WHERE last_seen_ms < ?').run(idleBeforeMs).changes;
}
