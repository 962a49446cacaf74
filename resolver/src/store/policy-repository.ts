import type { PolicyConfig, SafeSearchConfig, ScheduleConfig } from '../config/config-schema.js';
import type { BlockMode } from '../policy/policy-types.js';
import type { Db } from './database.js';
import type { Origin } from './network-repository.js';

// Policies with their categories, rules and schedules, in the configuration file's shape so
// the file, the admin API and the engine share one model. Reads load every table once and
// group in memory: a rebuild costs a fixed handful of queries, whatever the policy count.

export interface StoredSchedule extends ScheduleConfig {
  id: number;
  block: string[];
  services: string[];
  deny: string[];
  allow: string[];
  except: { from: string; to: string; name?: string }[];
}

export interface StoredPolicy extends PolicyConfig {
  id: number;
  description: string;
  block: string[];
  services: string[];
  deny: string[];
  allow: string[];
  safe_search: SafeSearchConfig;
  block_mode: BlockMode;
  block_ips: string[];
  block_ttl: number;
  schedules: StoredSchedule[];
  origin: Origin;
  created_at: string;
  updated_at: string;
}

export const DEFAULT_BLOCK_TTL = 60;

interface PolicyRow {
  id: number; name: string; description: string; block_mode: BlockMode; block_ips: string;
  block_ttl: number; safe_search: string; origin: Origin; created_at: string; updated_at: string;
}
interface ScheduleRow { id: number; policy_id: number; name: string; days: string; from_time: string; to_time: string }
interface OwnedText { owner: number; text: string }
interface RuleRow { owner: number; action: 'deny' | 'allow'; rule: string }
interface ExceptionRow { schedule_id: number; from_date: string; to_date: string; name: string }

function group<T extends { owner: number }>(rows: T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of rows) {
    const list = m.get(r.owner);
    if (list) list.push(r); else m.set(r.owner, [r]);
  }
  return m;
}

/** Every policy, ordered by name. Call inside a read transaction for a consistent view. */
export function loadPolicies(db: Db): StoredPolicy[] {
  const policies = db.prepare('SELECT id, name, description, block_mode, block_ips, block_ttl, safe_search, origin, created_at, updated_at FROM policies ORDER BY name').all() as PolicyRow[];
  const cats = group(db.prepare('SELECT policy_id AS owner, category AS text FROM policy_categories ORDER BY category').all() as OwnedText[]);
  const rules = group(db.prepare('SELECT policy_id AS owner, action, rule FROM policy_rules ORDER BY position, id').all() as RuleRow[]);
  const schedules = db.prepare('SELECT id, policy_id, name, days, from_time, to_time FROM schedules ORDER BY position, id').all() as ScheduleRow[];
  const sCats = group(db.prepare('SELECT schedule_id AS owner, category AS text FROM schedule_categories ORDER BY category').all() as OwnedText[]);
  const svcs = group(db.prepare('SELECT policy_id AS owner, service AS text FROM policy_services ORDER BY service').all() as OwnedText[]);
  const sSvcs = group(db.prepare('SELECT schedule_id AS owner, service AS text FROM schedule_services ORDER BY service').all() as OwnedText[]);
  const sRules = group(db.prepare('SELECT schedule_id AS owner, action, rule FROM schedule_rules ORDER BY position, id').all() as RuleRow[]);
  const sExc = db.prepare('SELECT schedule_id, from_date, to_date, name FROM schedule_exceptions ORDER BY from_date, id').all() as ExceptionRow[];

  const schedulesByPolicy = new Map<number, StoredSchedule[]>();
  for (const s of schedules) {
    const r = sRules.get(s.id) ?? [];
    const stored: StoredSchedule = {
      id: s.id,
      name: s.name,
      days: s.days.split(',') as StoredSchedule['days'],
      from: s.from_time,
      to: s.to_time,
      block: (sCats.get(s.id) ?? []).map((c) => c.text),
      services: (sSvcs.get(s.id) ?? []).map((c) => c.text),
      deny: r.filter((x) => x.action === 'deny').map((x) => x.rule),
      allow: r.filter((x) => x.action === 'allow').map((x) => x.rule),
      except: sExc.filter((e) => e.schedule_id === s.id).map((e) => (e.name ? { from: e.from_date, to: e.to_date, name: e.name } : { from: e.from_date, to: e.to_date })),
    };
    const list = schedulesByPolicy.get(s.policy_id);
    if (list) list.push(stored); else schedulesByPolicy.set(s.policy_id, [stored]);
  }

  return policies.map((p) => {
    const r = rules.get(p.id) ?? [];
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      block: (cats.get(p.id) ?? []).map((c) => c.text),
      services: (svcs.get(p.id) ?? []).map((c) => c.text),
      deny: r.filter((x) => x.action === 'deny').map((x) => x.rule),
      allow: r.filter((x) => x.action === 'allow').map((x) => x.rule),
      safe_search: JSON.parse(p.safe_search) as SafeSearchConfig,
      block_mode: p.block_mode,
      block_ips: JSON.parse(p.block_ips) as string[],
      block_ttl: p.block_ttl,
      schedules: schedulesByPolicy.get(p.id) ?? [],
      origin: p.origin,
      created_at: p.created_at,
      updated_at: p.updated_at,
    };
  });
}

export function policyIdByName(db: Db, name: string): number | undefined {
  return db.prepare('SELECT id FROM policies WHERE name = ?').pluck().get(name) as number | undefined;
}

/**
 * Creates or replaces (by name) one policy with its categories, rules and schedules; returns
 * its id. Children are replaced wholesale: the input is the complete desired state. Validate
 * first (policy/policy-validation.ts); run inside the caller's transaction.
 */
export function upsertPolicy(db: Db, p: PolicyConfig, origin: Origin = 'config'): number {
  const id = db
    .prepare(
      `INSERT INTO policies (name, description, block_mode, block_ips, block_ttl, safe_search, origin)
       VALUES (@name, @description, @block_mode, @block_ips, @block_ttl, @safe_search, @origin)
       ON CONFLICT (name) DO UPDATE SET description = excluded.description, block_mode = excluded.block_mode,
         block_ips = excluded.block_ips, block_ttl = excluded.block_ttl, safe_search = excluded.safe_search,
         origin = excluded.origin, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       RETURNING id`,
    )
    .pluck()
    .get({ ...policyColumns(p), origin }) as number;
  replaceChildren(db, id, p);
  return id;
}

/** Creates one policy (the name must be free); returns its id. Run inside a transaction. */
export function insertPolicy(db: Db, p: PolicyConfig, origin: Origin): number {
  const id = db
    .prepare(
      `INSERT INTO policies (name, description, block_mode, block_ips, block_ttl, safe_search, origin)
       VALUES (@name, @description, @block_mode, @block_ips, @block_ttl, @safe_search, @origin) RETURNING id`,
    )
    .pluck()
    .get({ ...policyColumns(p), origin }) as number;
  replaceChildren(db, id, p);
  return id;
}

/** Replaces one policy's complete definition by id (renames included). Run inside a transaction. */
export function updatePolicy(db: Db, id: number, p: PolicyConfig): void {
  db.prepare(
    `UPDATE policies SET name = @name, description = @description, block_mode = @block_mode, block_ips = @block_ips,
       block_ttl = @block_ttl, safe_search = @safe_search, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = @id`,
  ).run({ ...policyColumns(p), id });
  replaceChildren(db, id, p);
}

/** Adds one policy-level rule after the existing ones, unless the same rule is already there. */
export function appendPolicyRule(db: Db, policyId: number, action: 'deny' | 'allow', rule: string): boolean {
  const exists = db.prepare('SELECT 1 FROM policy_rules WHERE policy_id = ? AND action = ? AND rule = ?').get(policyId, action, rule);
  if (exists) return false;
  db.prepare(
    `INSERT INTO policy_rules (policy_id, action, rule, position)
     VALUES (?, ?, ?, (SELECT coalesce(max(position), -1) + 1 FROM policy_rules WHERE policy_id = ? AND action = ?))`,
  ).run(policyId, action, rule, policyId, action);
  db.prepare(`UPDATE policies SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(policyId);
  return true;
}

/** Rows of `origin` 'config' the file no longer declares become editable through the API. */
export function releaseUndeclaredPolicies(db: Db, declared: readonly string[]): void {
  db.prepare(`UPDATE policies SET origin = 'api' WHERE origin = 'config' AND name NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(declared));
}

function policyColumns(p: PolicyConfig) {
  return {
    name: p.name,
    description: p.description ?? '',
    block_mode: p.block_mode ?? 'nxdomain',
    block_ips: JSON.stringify(p.block_ips ?? []),
    block_ttl: p.block_ttl ?? DEFAULT_BLOCK_TTL,
    safe_search: JSON.stringify(p.safe_search ?? {}),
  };
}

function replaceChildren(db: Db, id: number, p: PolicyConfig): void {
  db.prepare('DELETE FROM policy_categories WHERE policy_id = ?').run(id);
  db.prepare('DELETE FROM policy_services WHERE policy_id = ?').run(id);
  db.prepare('DELETE FROM policy_rules WHERE policy_id = ?').run(id);
  db.prepare('DELETE FROM schedules WHERE policy_id = ?').run(id);

  const addCat = db.prepare('INSERT OR IGNORE INTO policy_categories (policy_id, category) VALUES (?, ?)');
  for (const c of p.block ?? []) addCat.run(id, c.toLowerCase());
  const addSvc = db.prepare('INSERT OR IGNORE INTO policy_services (policy_id, service) VALUES (?, ?)');
  for (const s of p.services ?? []) addSvc.run(id, s.toLowerCase());
  const addRule = db.prepare('INSERT INTO policy_rules (policy_id, action, rule, position) VALUES (?, ?, ?, ?)');
  (p.deny ?? []).forEach((r, i) => addRule.run(id, 'deny', r, i));
  (p.allow ?? []).forEach((r, i) => addRule.run(id, 'allow', r, i));

  const addSchedule = db.prepare('INSERT INTO schedules (policy_id, name, days, from_time, to_time, position) VALUES (?, ?, ?, ?, ?, ?) RETURNING id').pluck();
  const addSCat = db.prepare('INSERT OR IGNORE INTO schedule_categories (schedule_id, category) VALUES (?, ?)');
  const addSSvc = db.prepare('INSERT OR IGNORE INTO schedule_services (schedule_id, service) VALUES (?, ?)');
  const addSRule = db.prepare('INSERT INTO schedule_rules (schedule_id, action, rule, position) VALUES (?, ?, ?, ?)');
  const addExc = db.prepare('INSERT INTO schedule_exceptions (schedule_id, from_date, to_date, name) VALUES (?, ?, ?, ?)');
  (p.schedules ?? []).forEach((s, pos) => {
    const sid = addSchedule.get(id, s.name, s.days.join(','), s.from, s.to, pos) as number;
    for (const c of s.block ?? []) addSCat.run(sid, c.toLowerCase());
    for (const x of s.services ?? []) addSSvc.run(sid, x.toLowerCase());
    (s.deny ?? []).forEach((r, i) => addSRule.run(sid, 'deny', r, i));
    (s.allow ?? []).forEach((r, i) => addSRule.run(sid, 'allow', r, i));
    for (const e of s.except ?? []) addExc.run(sid, e.from, e.to, e.name ?? '');
  });
}

/** Deletes a policy by name; fails (foreign key) while a network still uses it. */
export function deletePolicy(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM policies WHERE name = ?').run(name).changes > 0;
}

/** Deletes a policy by id; fails (foreign key) while a network still uses it. */
export function deletePolicyById(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM policies WHERE id = ?').run(id).changes > 0;
}
