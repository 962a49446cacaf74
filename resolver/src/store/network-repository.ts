import type { NetworkConfig } from '../config/config-schema.js';
import type { Db } from './database.js';

// Networks and their address ranges. CIDRs are stored in canonical form (policy/cidr.ts) so
// the same range written two ways is one row and the unique key means what it says.

export type NetworkKind = 'school' | 'home' | 'isp' | 'other';
/** who declared a row: the config file (read-only through the API) or the admin API */
export type Origin = 'config' | 'api';
export const DEFAULT_TIMEZONE = 'Asia/Ho_Chi_Minh';

export interface StoredNetwork {
  id: number;
  name: string;
  kind: NetworkKind;
  timezone: string;
  contact: string;
  doh_token: string | null;
  policy_id: number;
  policy: string;
  cidrs: string[];
  origin: Origin;
  created_at: string;
  updated_at: string;
}

type NetworkRow = Omit<StoredNetwork, 'cidrs'>;

/** Every network, ordered by name. Call inside a read transaction for a consistent view. */
export function loadNetworks(db: Db): StoredNetwork[] {
  const rows = db
    .prepare(
      `SELECT n.id, n.name, n.kind, n.timezone, n.contact, n.doh_token, n.policy_id, p.name AS policy, n.origin, n.created_at, n.updated_at
       FROM networks n JOIN policies p ON p.id = n.policy_id ORDER BY n.name`,
    )
    .all() as NetworkRow[];
  const cidrs = new Map<number, string[]>();
  for (const c of db.prepare('SELECT network_id, cidr FROM network_cidrs ORDER BY network_id, cidr').all() as { network_id: number; cidr: string }[]) {
    const list = cidrs.get(c.network_id);
    if (list) list.push(c.cidr); else cidrs.set(c.network_id, [c.cidr]);
  }
  return rows.map((r) => ({ ...r, cidrs: cidrs.get(r.id) ?? [] }));
}

export function networkCount(db: Db): number {
  return db.prepare('SELECT count(*) FROM networks').pluck().get() as number;
}

/** The network holding a canonical CIDR, for a conflict message before a write. */
export function networkOwningCidr(db: Db, cidr: string): string | undefined {
  return db.prepare('SELECT n.name FROM network_cidrs c JOIN networks n ON n.id = c.network_id WHERE c.cidr = ?').pluck().get(cidr) as string | undefined;
}

/** The network holding a DoH token, for a conflict message before a write. */
export function networkOwningToken(db: Db, token: string): string | undefined {
  return db.prepare('SELECT name FROM networks WHERE doh_token = ?').pluck().get(token) as string | undefined;
}

/**
 * Creates or replaces (by name) one network; `cidrs` must already be canonical and the policy
 * id must exist. Returns the network id. Run inside the caller's transaction.
 */
export function upsertNetwork(db: Db, n: NetworkConfig, policyId: number, origin: Origin = 'config'): number {
  const id = db
    .prepare(
      `INSERT INTO networks (name, kind, timezone, contact, doh_token, policy_id, origin)
       VALUES (@name, @kind, @timezone, @contact, @doh_token, @policy_id, @origin)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, timezone = excluded.timezone, contact = excluded.contact,
         doh_token = excluded.doh_token, policy_id = excluded.policy_id, origin = excluded.origin,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       RETURNING id`,
    )
    .pluck()
    .get({ ...networkColumns(n, policyId), origin }) as number;
  replaceCidrs(db, id, n.cidrs ?? []);
  return id;
}

/** Creates one network (the name must be free); returns its id. Run inside a transaction. */
export function insertNetwork(db: Db, n: NetworkConfig, policyId: number, origin: Origin): number {
  const id = db
    .prepare(
      `INSERT INTO networks (name, kind, timezone, contact, doh_token, policy_id, origin)
       VALUES (@name, @kind, @timezone, @contact, @doh_token, @policy_id, @origin) RETURNING id`,
    )
    .pluck()
    .get({ ...networkColumns(n, policyId), origin }) as number;
  replaceCidrs(db, id, n.cidrs ?? []);
  return id;
}

/** Replaces one network's definition by id (renames included). Run inside a transaction. */
export function updateNetwork(db: Db, id: number, n: NetworkConfig, policyId: number): void {
  db.prepare(
    `UPDATE networks SET name = @name, kind = @kind, timezone = @timezone, contact = @contact, doh_token = @doh_token,
       policy_id = @policy_id, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = @id`,
  ).run({ ...networkColumns(n, policyId), id });
  replaceCidrs(db, id, n.cidrs ?? []);
}

/** Rows of `origin` 'config' the file no longer declares become editable through the API. */
export function releaseUndeclaredNetworks(db: Db, declared: readonly string[]): void {
  db.prepare(`UPDATE networks SET origin = 'api' WHERE origin = 'config' AND name NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(declared));
}

function networkColumns(n: NetworkConfig, policyId: number) {
  return {
    name: n.name,
    kind: n.kind ?? 'other',
    timezone: n.timezone ?? DEFAULT_TIMEZONE,
    contact: n.contact ?? '',
    doh_token: n.doh_token ?? null,
    policy_id: policyId,
  };
}

function replaceCidrs(db: Db, id: number, cidrs: readonly string[]): void {
  db.prepare('DELETE FROM network_cidrs WHERE network_id = ?').run(id);
  const add = db.prepare('INSERT OR IGNORE INTO network_cidrs (network_id, cidr) VALUES (?, ?)');
  for (const c of cidrs) add.run(id, c);
}

export function deleteNetwork(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM networks WHERE name = ?').run(name).changes > 0;
}

export function deleteNetworkById(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM networks WHERE id = ?').run(id).changes > 0;
}

/** Network ids by name, for the names that exist. */
export function networkIdsForNames(db: Db, names: readonly string[]): Map<string, number> {
  const rows = db.prepare('SELECT name, id FROM networks WHERE name IN (SELECT value FROM json_each(?))').all(JSON.stringify(names)) as { name: string; id: number }[];
  return new Map(rows.map((r) => [r.name, r.id]));
}
