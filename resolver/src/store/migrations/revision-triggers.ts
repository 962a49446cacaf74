// Triggers that bump meta.config_revision on every write to a configuration table, so any
// writer, in this process or another, is seen by reading one row (store/config-revision.ts).
// Migrations that add configuration tables add these for them; the text never changes, so a
// released migration's SQL stays what it was.
export function revisionTriggers(tables: readonly string[]): string {
  return tables.flatMap((t) =>
    ['INSERT', 'UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER ${t}_${op.toLowerCase()}_revision AFTER ${op} ON ${t}
BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'config_revision'; END;`,
    ),
  ).join('\n');
}
