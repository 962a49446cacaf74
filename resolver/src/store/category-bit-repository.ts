import type { Db } from './database.js';

// The persisted name -> bit table (migration 006). Allocation runs in one IMMEDIATE
// transaction, so two processes building snapshots at the same moment never give one bit to
// two names or two bits to one name.

/** Every allocated bit, giving `names` a bit first if they have none; name -> bit. */
export function allocateCategoryBits(db: Db, names: Iterable<string>): Map<string, number> {
  const wanted = [...new Set([...names].map((n) => n.toLowerCase()))];
  return db.transaction(() => {
    const rows = db.prepare('SELECT name, bit FROM category_bits').all() as Array<{ name: string; bit: number }>;
    const bits = new Map(rows.map((r) => [r.name, r.bit]));
    let next = rows.reduce((m, r) => Math.max(m, r.bit + 1), 0);
    const insert = db.prepare('INSERT INTO category_bits (name, bit) VALUES (?, ?)');
    for (const n of wanted) {
      if (bits.has(n)) continue;
      insert.run(n, next);
      bits.set(n, next++);
    }
    return bits;
  }).immediate();
}
