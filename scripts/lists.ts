import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULTS } from '../resolver/src/config/load-config.js';
import { CompiledMatcher } from '../resolver/src/lists/domain-matcher.js';
import { fetchList, isUrl, readLocalList } from '../resolver/src/lists/list-fetcher.js';
import { mostlyInvalidReason, notTextReason, printable } from '../resolver/src/lists/list-text.js';
import { MatcherBuilder } from '../resolver/src/lists/matcher-builder.js';
import type { ListFormatName } from '../resolver/src/lists/rule-types.js';
import { compileSourceText } from '../resolver/src/lists/source-compiler.js';

// Operator tool: `npm run lists -- check FILE|URL [--format F] [--max-regex N]`.
// Reports how Nestguard reads a list before it goes into a config: the detected format,
// what each line turned into, the invalid lines, and what loading it costs.

const FORMATS = ['auto', 'hosts', 'domains', 'adblock', 'dnsmasq', 'rpz', 'regex'];

const HELP = `Checks a blocklist the way Nestguard reads it, before it goes into a configuration.

usage: npm run lists -- check FILE|URL [options]

  FILE|URL            a local file, or an http(s) URL to download
  --format F          read it as F instead of detecting: ${FORMATS.join(', ')}
  --max-regex N       regular-expression rules kept (default ${DEFAULTS.lists.max_regex}, as lists.max_regex)
  -h, --help          this help

Prints the format, rule counts, skipped and invalid lines (with line numbers), the load
time, the memory the compiled list takes, and the verdict: exit code 1 when Nestguard would
refuse this copy (not text, or mostly invalid lines).

example (works on a fresh install):
  npm run lists -- check blocklists/default/adult.txt
`;

function usage(problem: string): never {
  process.stderr.write(`lists: ${problem}\n\n${HELP}`);
  process.exit(2);
}

/**
 * A collector the memory figures can call between steps, so they measure the list and not
 * garbage left from reading it; no node flag to pass through npm for it.
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Checks one list; resolves with the exit code (1: Nestguard would refuse this copy). */
async function check(target: string, format: ListFormatName | 'auto', maxRegex: number): Promise<number> {
  const { fetch_timeout_ms: timeoutMs, max_bytes: maxBytes } = DEFAULTS.lists;
  let body: Buffer;
  if (isUrl(target)) {
    const r = await fetchList(target, { timeoutMs, maxBytes, retries: 1 });
    if (r.status !== 'modified') throw new Error(`lists: ${target}: unexpected 304 without a validator`);
    body = r.body;
  } else {
    body = await readLocalList(resolve(target), maxBytes);
  }
  const notText = notTextReason(body);
  if (notText !== null) {
    console.log(`source:      ${printable(target)}`);
    console.log(`verdict:     refused: ${notText}`);
    return 1;
  }
  const gc = collector();
  gc();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const builder = new MatcherBuilder();
  const stats = compileSourceText(body.toString('utf8'), format, 1, maxRegex, builder);
  const matcher = new CompiledMatcher(builder.build());
  const ms = performance.now() - t0;
  body = Buffer.alloc(0);
  gc();
  const mem = process.memoryUsage();

  console.log(`source:      ${printable(target)}`);
  console.log(`format:      ${stats.format}${format === 'auto' ? ' (detected)' : ''}`);
  console.log(`rules:       block ${stats.block}, allow ${stats.allow}, important ${stats.important}, regex ${stats.regex}` +
    (stats.regexOverCap ? ` (+${stats.regexOverCap} over --max-regex ${maxRegex})` : ''));
  console.log(`entries:     ${matcher.size} distinct in the compiled table`);
  console.log(`skipped:     ${stats.skipped}`);
  for (const [reason, n] of Object.entries(stats.skippedByReason).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(8)}  ${printable(reason)}`);
  console.log(`invalid:     ${stats.invalid}${stats.invalid > stats.invalidSample.length ? ` (first ${stats.invalidSample.length} shown)` : ''}`);
  for (const i of stats.invalidSample) console.log(`  line ${i.line}: ${i.reason}: ${i.text}`);
  console.log(`load time:   ${ms.toFixed(0)} ms`);
  console.log(`memory:      RSS ${mb(mem.rss - rss0)} (now ${mb(mem.rss)}), heap ${mb(mem.heapUsed - heap0)}`);
  const invalid = mostlyInvalidReason(stats);
  console.log(`verdict:     ${invalid === null ? 'accepted' : `refused: ${invalid}`}`);
  return invalid === null ? 0 : 1;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { format: { type: 'string' }, 'max-regex': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [cmd, target, ...extra] = positionals;
  if (cmd !== 'check') usage(cmd === undefined ? 'say what to do: check FILE|URL' : `unknown command "${cmd}" (the command is check)`);
  if (!target) usage('check needs a FILE or URL');
  if (extra.length) usage(`unexpected argument "${extra[0]}"`);
  const format = (values.format ?? 'auto') as ListFormatName | 'auto';
  if (!FORMATS.includes(format)) usage(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
  const maxRegexText = values['max-regex'] ?? String(DEFAULTS.lists.max_regex);
  if (!/^\d+$/.test(maxRegexText)) usage(`--max-regex takes a whole number, not "${maxRegexText}"`);
  const maxRegex = Number(maxRegexText);
  process.exitCode = await check(target, format, maxRegex);
}

main().catch((e: Error) => {
  console.error(printable(e.message));
  process.exit(1);
});
