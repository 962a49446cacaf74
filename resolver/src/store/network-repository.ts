import type { NetworkConfig } from '../config/config-schema.js';
import type { Db } from './database.js';

// Networks and their address ranges. CIDRs are stored in canonical form (policy/cidr.ts) so
// the same range written two ways is one row and the unique key means what it says.

export type NetworkKind = 'school' | 'home' | 'isp' | 'other';
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
  created_at: string;
  updated_at: string;
}

type NetworkRow = Omit<StoredNetwork, 'cidrs'>;

/** Every network, ordered by name. Call inside a read transaction for a consistent view. */
export function loadNetworks(db: Db): StoredNetwork[] {
  const rows = db
    .prepare(
      `SELECT n.id, n.name, n.kind, n.timezone, n.contact, n.doh_token, n.policy_id, p.name AS policy, n.created_at, n.updated_at
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
export function upsertNetwork(db: Db, n: NetworkConfig, policyId: number): number {
  const id = db
    .prepare(
      `INSERT INTO networks (name, kind, timezone, contact, doh_token, policy_id)
       VALUES (@name, @kind, @timezone, @contact, @doh_token, @policy_id)
       ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, timezone = excluded.timezone, contact = excluded.contact,
         doh_token = excluded.doh_token, policy_id = excluded.policy_id, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       RETURNING id`,
    )
    .pluck()
    .get({
      name: n.name,
      kind: n.kind ?? 'other',
      timezone: n.timezone ?? DEFAULT_TIMEZONE,
      contact: n.contact ?? '',
      doh_token: n.doh_token ?? null,
      policy_id: policyId,
    }) as number;
  db.prepare('DELETE FROM network_cidrs WHERE network_id = ?').run(id);
  const add = db.prepare('INSERT OR IGNORE INTO network_cidrs (network_id, cidr) VALUES (?, ?)');
  for (const c of n.cidrs ?? []) add.run(id, c);
  return id;
}

export function deleteNetwork(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM networks WHERE name = ?').run(name).changes > 0;
}
