import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../resolver/src/config/load-config.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { categories } from '../../resolver/src/lists/categories.js';
import { CompiledMatcher, type DomainMatcher } from '../../resolver/src/lists/domain-matcher.js';
import { ListManager } from '../../resolver/src/lists/list-manager.js';
import { ListSourceRepository } from '../../resolver/src/store/list-source-repository.js';
import { openDatabase } from '../../resolver/src/store/database.js';
import { serviceCatalog } from '../../resolver/src/lists/service-catalog.js';

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

function mask(m: DomainMatcher, name: string): number {
  const w = WireName.fromText(name);
  return m.match(w.buf, w.labelOffsets, w.labelCount)[0];
}

describe('lists: 1M-domain snapshot', () => {
  it('loads in a worker within bounds of time and memory, and lookups stay correct', async () => {
    const config = structuredClone(DEFAULTS);
    config.data_dir = join(dir, 'data');
    config.lists.bundled = false;
    const file = listFile();
    config.blocklists = [{ name: 'million', category: 'malware', source: file, format: 'domains' }];
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
      // every 997th listed name, read back from the file, is blocked with its subdomains; the
      // same name under another parent, or with its first label changed, is not
      const malware = 1 << categories.bit('malware')!;
      const names = readFileSync(file, 'utf8').split('\n').map((l) => l.trim().toLowerCase()).filter((l) => l !== '' && !l.startsWith('#'));
      expect(names.length).toBe(N);
      let checked = 0;
      for (let i = 0; i < names.length; i += 997, checked++) {
        const name = names[i];
        expect(mask(m.matcher, name), name).toBe(malware);
        expect(mask(m.matcher, `www.${name}`), `www.${name}`).toBe(malware);
        expect(mask(m.matcher, `${name}.not-listed-tld`), `${name}.not-listed-tld`).toBe(0);
        expect(mask(m.matcher, `zz9q-${name}`), `zz9q-${name}`).toBe(0);
      }
      expect(checked).toBeGreaterThan(1000);
      console.log(`lists: 1M names loaded in ${ms.toFixed(0)} ms, table ${(matcher.byteLength / 1048576).toFixed(0)} MB, RSS +${(rss / 1048576).toFixed(0)} MB`);
    } finally {
      await m.stop();
      db.close();
    }
  });
});
