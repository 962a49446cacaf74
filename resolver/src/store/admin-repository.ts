import type { Db } from './database.js';

// Admin accounts and the networks each one is assigned. Passwords arrive here already hashed
// (api/password-hash.ts); this file only stores and reads.

export type Role = 'owner' | 'network-admin' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'network-admin', 'viewer'];

export interface StoredAdmin {
  id: number;
  username: string;
  role: Role;
  /** assigned network ids, ascending */
  networkIds: number[];
  created_at: string;
  updated_at: string;
}

interface AdminRow { id: number; username: string; role: Role; created_at: string; updated_at: string }

function withNetworks(db: Db, rows: AdminRow[]): StoredAdmin[] {
  const links = db.prepare('SELECT admin_id, network_id FROM admin_networks ORDER BY network_id').all() as { admin_id: number; network_id: number }[];
  const by = new Map<number, number[]>();
  for (const l of links) {
    const list = by.get(l.admin_id);
    if (list) list.push(l.network_id); else by.set(l.admin_id, [l.network_id]);
  }
  return rows.map((r) => ({ ...r, networkIds: by.get(r.id) ?? [] }));
}

export function listAdmins(db: Db): StoredAdmin[] {
  return withNetworks(db, db.prepare('SELECT id, username, role, created_at, updated_at FROM admins ORDER BY username').all() as AdminRow[]);
}

export function getAdmin(db: Db, id: number): StoredAdmin | undefined {
  const row = db.prepare('SELECT id, username, role, created_at, updated_at FROM admins WHERE id = ?').get(id) as AdminRow | undefined;
  return row && withNetworks(db, [row])[0];
}

export function adminCount(db: Db): number {
  return db.prepare('SELECT count(*) FROM admins').pluck().get() as number;
}

export function ownerCount(db: Db): number {
  return db.prepare("SELECT count(*) FROM admins WHERE role = 'owner'").pluck().get() as number;
}

/** The account and its stored hash, for a login check. Usernames compare case-insensitively. */
export function credentialsFor(db: Db, username: string): { id: number; passwordHash: string } | undefined {
  const row = db.prepare('SELECT id, password_hash FROM admins WHERE username = ?').get(username) as { id: number; password_hash: string } | undefined;
  return row && { id: row.id, passwordHash: row.password_hash };
}

export function adminIdByName(db: Db, username: string): number | undefined {
  return db.prepare('SELECT id FROM admins WHERE username = ?').pluck().get(username) as number | undefined;
}

/** Run inside the caller's transaction. */
export function insertAdmin(db: Db, a: { username: string; role: Role; passwordHash: string; networkIds: readonly number[] }): number {
  const id = db.prepare('INSERT INTO admins (username, role, password_hash) VALUES (?, ?, ?) RETURNING id').pluck().get(a.username, a.role, a.passwordHash) as number;
  setAdminNetworks(db, id, a.networkIds);
  return id;
}

export function updateAdmin(db: Db, id: number, a: { role: Role; networkIds: readonly number[] }): void {
  db.prepare(`UPDATE admins SET role = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(a.role, id);
  setAdminNetworks(db, id, a.networkIds);
}

export function setPasswordHash(db: Db, id: number, passwordHash: string): void {
  db.prepare(`UPDATE admins SET password_hash = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(passwordHash, id);
}

export function deleteAdmin(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM admins WHERE id = ?').run(id).changes > 0;
}

function setAdminNetworks(db: Db, id: number, networkIds: readonly number[]): void {
  db.prepare('DELETE FROM admin_networks WHERE admin_id = ?').run(id);
  const add = db.prepare('INSERT OR IGNORE INTO admin_networks (admin_id, network_id) VALUES (?, ?)');
  for (const n of networkIds) add.run(id, n);
}
