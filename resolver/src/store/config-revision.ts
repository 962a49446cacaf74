import type { Db } from './database.js';

// meta.config_revision is bumped by triggers on every configuration table (migration 001), so
// any writer, in this process or another, is seen by reading one row. In-process writers also
// announce their commit so the resolver applies it at once instead of at the next poll.

const listeners = new WeakMap<Db, Set<() => void>>();
const statements = new WeakMap<Db, { get(): unknown }>();

export function readConfigRevision(db: Db): number {
  let stmt = statements.get(db);
  if (!stmt) {
    const s = db.prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'config_revision'").pluck();
    stmt = { get: () => s.get() };
    statements.set(db, stmt);
  }
  return Number(stmt.get() ?? 0);
}

/** Calls `fn` after each announced in-process configuration commit; returns the unsubscribe. */
export function onConfigWrite(db: Db, fn: () => void): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/** To be called after (never inside) a transaction that changed configuration. */
export function announceConfigWrite(db: Db): void {
  const set = listeners.get(db);
  if (set) for (const fn of [...set]) fn();
}
