import { serviceCatalog } from '../../resolver/src/lists/service-catalog.js';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../resolver/src/config/load-config.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { CompiledMatcher } from '../../resolver/src/lists/domain-matcher.js';
import { ListManager } from '../../resolver/src/lists/list-manager.js';
import { ListSourceRepository } from '../../resolver/src/store/list-source-repository.js';
import { openDatabase } from '../../resolver/src/store/database.js';

// One million distinct names: the table must stay within the memory budget and the load
// (worker parse + transfer) well within seconds. Bounds are generous so CI noise never fails it.
const BENCH_LIST = '/tmp/peerbench/data/blocklist.txt';
const N = 1_000_000;

const dir = mkdtempSync(join(tmpdir(), 'nestguard-lists-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function listFile(): string {
  if (existsSync(BENCH_LIST)) return BENCH_LIST;
  const file = join(dir, 'million.txt');
  const lines = new Array<string>(N);
  for (let i = 0; i < N; i++) lines[i] = `blk${i}.${(i * 2654435761 >>> 0).toString(36)}.example`;
  writeFileSync(file, lines.join('\n'));
  return file;
}

describe('lists: 1M-domain snapshot', () => {
  it('loads in a worker within bounds of time and memory, and lookups stay correct', async () => {
    const config = structuredClone(DEFAULTS);
    config.data_dir = join(dir, 'data');
    config.lists.bundled = false;
    config.blocklists = [{ name: 'million', category: 'malware', source: listFile(), format: 'domains' }];
    const db = openDatabase(join(dir, 'data', 'db.sqlite'));
    const m = new ListManager({ sources: new ListSourceRepository(db), config, baseDir: dir, logger: pino({ level: 'silent' }) });
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    await m.start();
    const ms = performance.now() - t0;
    const rss = process.memoryUsage().rss - rss0;
    try {
      const matcher = m.matcher as CompiledMatcher;
      // the list and the services catalog, compiled into the same table
      expect(matcher.size).toBe(N + new Set(serviceCatalog().services.flatMap((x) => x.rules)).size);
      // the table itself: 2^21 slots of 12 bytes for 1M names
      expect(matcher.byteLength).toBeLessThanOrEqual(64 * 1024 * 1024);
      expect(rss).toBeLessThan(256 * 1024 * 1024);
      expect(ms).toBeLessThan(15_000);
      const [first] = m.status();
      expect(first.entries.block).toBe(N);
      const w = WireName.fromText('x.blk0.example'); // a sibling label, not listed
      expect(m.matcher.matches(w.buf, w.labelOffsets, w.labelCount)).toBe(false);
      console.log(`lists: 1M names loaded in ${ms.toFixed(0)} ms, table ${(matcher.byteLength / 1048576).toFixed(0)} MB, RSS +${(rss / 1048576).toFixed(0)} MB`);
    } finally {
      await m.stop();
      db.close();
    }
  });
});
