import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../resolver/src/config/load-config.js';
import { DB_FILE_NAME, openDatabase } from '../resolver/src/store/database.js';
import { reportCsv } from '../resolver/src/stats/report-csv.js';
import { buildReport } from '../resolver/src/stats/report-data.js';
import { reportHtml } from '../resolver/src/stats/report-html.js';
import { networkIdsByName } from '../resolver/src/stats/stats-query.js';

// Periodic report for the authorities, from the statistics in <data_dir>/nestguard.db:
//   npm run report -- --from 2026-11-01 --to 2026-11-30 [--network school-a ...]
//                     [--format csv|html] [--lang vi|en] [--out FILE]

const USAGE = 'usage: report --from YYYY-MM-DD --to YYYY-MM-DD [--network NAME ...] [--format csv|html] [--lang vi|en] [--out FILE]';

/** Builds the report: its text, written to `outFile` when --out was given. */
export function runReport(argv: string[], env: NodeJS.ProcessEnv = process.env): { text: string; outFile?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      network: { type: 'string', multiple: true },
      format: { type: 'string', default: 'html' },
      lang: { type: 'string', default: 'vi' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (!values.from || !values.to) throw new Error(`report: --from and --to are required\n${USAGE}`);
  if (values.format !== 'csv' && values.format !== 'html') throw new Error(`report: --format must be csv or html\n${USAGE}`);
  if (values.lang !== 'vi' && values.lang !== 'en') throw new Error(`report: --lang must be vi or en\n${USAGE}`);

  const { config } = loadConfig(env);
  const file = join(config.data_dir, DB_FILE_NAME);
  if (!existsSync(file)) throw new Error(`report: no database at ${file} (set NESTGUARD_DATA_DIR or data_dir)`);
  const db = openDatabase(file);
  try {
    const data = buildReport(db, {
      from: values.from,
      to: values.to,
      networkIds: values.network?.length ? networkIdsByName(db, values.network) : undefined,
      suppressBelow: config.stats.suppress_below,
    });
    const text = values.format === 'csv' ? reportCsv(data) : reportHtml(data, values.lang);
    if (values.out) writeFileSync(values.out, text);
    return { text, outFile: values.out };
  } finally {
    db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { text, outFile } = runReport(process.argv.slice(2));
    if (!outFile) process.stdout.write(text);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
