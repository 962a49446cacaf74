import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../resolver/src/config/load-config.js';
import { DB_FILE_NAME, openDatabase } from '../resolver/src/store/database.js';
import { reportCsv } from '../resolver/src/stats/report-csv.js';
import { buildReport } from '../resolver/src/stats/report-data.js';
import { reportHtml } from '../resolver/src/stats/report-html.js';
import { REPORT_LANGS, type ReportLang } from '../resolver/src/stats/report-strings.js';
import { networkIdsByName, networkNames } from '../resolver/src/stats/stats-query.js';

// Periodic report for the authorities, from the statistics in <data_dir>/nestguard.db.

export const HELP = `Aggregated filtering report for the authorities, from Nestguard's statistics.

usage: npm run report -- --from YYYY-MM-DD --to YYYY-MM-DD [options]

  --from, --to DATE   first and last day (inclusive), in the networks' own time zone
  --network NAME      a network to include (repeat for several); default: every network
  --format html|csv   html (default): a printable page (A4, print or save as PDF);
                      csv: one number per line (date, measure, category, count, note)
  --lang vi|en        language of the page, or of the CSV header and notes (default vi)
  --out FILE          write to FILE instead of standard output
  -h, --help          this help

The database is <data_dir>/nestguard.db (NESTGUARD_CONFIG and NESTGUARD_DATA_DIR are read
as by the server). Counts from 1 to stats.suppress_below - 1 (default 5) are shown as "<5"
and never added to a total; 0 means none. A total that left such counts out is "at least
N" on the page and carries the note "partial: days under 5 not added" in the CSV.
Days are in the networks' time zone (Asia/Ho_Chi_Minh unless set), within the hourly
retention; older periods, or networks in different zones, are reported in UTC days.

example (works on a fresh install, once \`npm start\` has run):
  npm run report -- --from 2026-11-01 --to 2026-11-30 --network local --lang en --out report.html
`;

function fail(problem: string): never {
  throw new Error(`report: ${problem}\n\n${HELP}`);
}

/** Builds the report: its text, written to `outFile` when --out was given; null text for --help. */
export function runReport(argv: string[], env: NodeJS.ProcessEnv = process.env): { text: string; outFile?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        network: { type: 'string', multiple: true },
        format: { type: 'string', default: 'html' },
        lang: { type: 'string', default: 'vi' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) return { text: HELP };
  if (!values.from || !values.to) fail('--from and --to are required');
  if (values.format !== 'csv' && values.format !== 'html') fail(`--format must be csv or html, not "${values.format}"`);
  if (!REPORT_LANGS.includes(values.lang as ReportLang)) fail(`--lang must be vi or en, not "${values.lang}"`);
  const lang = values.lang as ReportLang;

  const { config } = loadConfig(env);
  const file = join(config.data_dir, DB_FILE_NAME);
  if (!existsSync(file)) throw new Error(`report: no database at ${file} (start Nestguard once, or set NESTGUARD_DATA_DIR or data_dir)`);
  const db = openDatabase(file);
  try {
    let networkIds: number[] | undefined;
    try {
      networkIds = values.network?.length ? networkIdsByName(db, values.network) : undefined;
    } catch (e) {
      throw new Error(`report: ${(e as Error).message.replace(/^stats: /, '')}; known networks: ${[...networkNames(db).values()].join(', ')}`);
    }
    const data = buildReport(db, {
      from: values.from,
      to: values.to,
      networkIds,
      suppressBelow: config.stats.suppress_below,
      hourlyRetentionDays: config.stats.hourly_retention_days,
    });
    const text = values.format === 'csv' ? reportCsv(data, lang) : reportHtml(data, lang);
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
