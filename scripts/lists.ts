import { resolve } from 'node:path';
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

function usage(): never {
  console.error('usage: npm run lists -- check FILE|URL [--format auto|hosts|domains|adblock|dnsmasq|rpz|regex] [--max-regex N]');
  process.exit(2);
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
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const builder = new MatcherBuilder();
  const stats = compileSourceText(body.toString('utf8'), format, 1, maxRegex, builder);
  const matcher = new CompiledMatcher(builder.build());
  const ms = performance.now() - t0;
  body = Buffer.alloc(0);
  global.gc?.();
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
  console.log(`memory:      RSS ${mb(mem.rss - rss0)} (now ${mb(mem.rss)}), heap ${mb(mem.heapUsed - heap0)}${global.gc ? '' : ' (run node with --expose-gc for steadier numbers)'}`);
  const invalid = mostlyInvalidReason(stats);
  console.log(`verdict:     ${invalid === null ? 'accepted' : `refused: ${invalid}`}`);
  return invalid === null ? 0 : 1;
}

async function main(): Promise<void> {
  const [cmd, target, ...rest] = process.argv.slice(2);
  if (cmd !== 'check' || !target) usage();
  let format: ListFormatName | 'auto' = 'auto';
  let maxRegex = DEFAULTS.lists.max_regex;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--format' && FORMATS.includes(rest[i + 1])) format = rest[++i] as ListFormatName | 'auto';
    else if (rest[i] === '--max-regex' && /^\d+$/.test(rest[i + 1] ?? '')) maxRegex = Number(rest[++i]);
    else usage();
  }
  process.exitCode = await check(target, format, maxRegex);
}

main().catch((e: Error) => {
  console.error(printable(e.message));
  process.exit(1);
});
