import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlocklistSourceConfig, Config } from '../../resolver/src/config/config-schema.js';
import { DEFAULTS } from '../../resolver/src/config/load-config.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { categories } from '../../resolver/src/lists/categories.js';
import type { DomainMatcher } from '../../resolver/src/lists/domain-matcher.js';
import { ListManager } from '../../resolver/src/lists/list-manager.js';
import { serviceCatalog } from '../../resolver/src/lists/service-catalog.js';
import { ListSourceRepository } from '../../resolver/src/store/list-source-repository.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';

const ADS = 1 << categories.bit('ads')!;
const MALWARE = 1 << categories.bit('malware')!;
const BYPASS = 1 << categories.bit('bypass')!;

function mask(m: DomainMatcher, name: string): number {
  const w = WireName.fromText(name);
  return m.match(w.buf, w.labelOffsets, w.labelCount)[0];
}

/** A list host on loopback: serves `body` with an ETag, answers 304 to a matching validator. */
class ListHost {
  body: string | Buffer = '||ads.example.org^\n';
  etag = '"v1"';
  failWith = 0;
  requests: Array<{ inm?: string; ims?: string }> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      this.requests.push({ inm: req.headers['if-none-match'] as string | undefined, ims: req.headers['if-modified-since'] as string | undefined });
      if (this.failWith) {
        res.writeHead(this.failWith).end();
        return;
      }
      if (req.headers['if-none-match'] === this.etag) {
        res.writeHead(304, { etag: this.etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', etag: this.etag, 'last-modified': 'Sun, 22 Nov 2026 10:00:00 GMT' }).end(this.body);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/list.txt`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

let dir: string;
let db: Db;
let host: ListHost;
let logs: string[];
const managers: ListManager[] = [];

function config(blocklists: BlocklistSourceConfig[], over: Partial<Config['lists']> = {}): Config {
  const c = structuredClone(DEFAULTS);
  c.data_dir = join(dir, 'data');
  c.lists = { ...c.lists, bundled: false, fetch_timeout_ms: 2000, ...over };
  c.blocklists = blocklists;
  return c;
}

/** Starts a manager and waits for its first downloads, which start() leaves to the background. */
async function startIdle(m: ListManager): Promise<ListManager> {
  await m.start();
  await m.idle();
  return m;
}

function manager(cfg: Config): ListManager {
  const stream = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const m = new ListManager({ sources: new ListSourceRepository(db), config: cfg, baseDir: dir, logger: pino({ level: 'debug' }, stream), fetchBackoffMs: 5 });
  managers.push(m);
  return m;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-lists-'));
  db = openDatabase(join(dir, 'data', 'nestguard.db'));
  host = new ListHost();
  await host.start();
  logs = [];
});

afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop();
  await host.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lists: ListManager', () => {
  it('loads a URL and a local file (path relative to the config) and reports per-source state', async () => {
    writeFileSync(join(dir, 'local.txt'), '# local\n0.0.0.0 bad.example.net\nnot a name!\n');
    const m = manager(config([
      { name: 'remote-ads', category: 'ads', source: host.url },
      { name: 'local-malware', category: 'malware', source: 'local.txt', format: 'hosts' },
    ]));
    expect(mask(m.matcher, 'ads.example.org')).toBe(0); // empty before start
    await m.start();
    await m.idle();
    expect(mask(m.matcher, 'x.ads.example.org')).toBe(ADS);
    expect(mask(m.matcher, 'bad.example.net')).toBe(MALWARE);
    const [remote, local] = m.status();
    expect(remote).toMatchObject({ name: 'remote-ads', live: true, lastError: null, etag: '"v1"', detectedFormat: 'adblock', entries: { block: 1, allow: 0, important: 0, regex: 0 } });
    expect(remote.lastSuccessAt).not.toBeNull();
    // next refresh: one period (24 h) after the success, plus up to 10% + 1 min of jitter
    const next = Date.parse(remote.nextRefreshAt!) - Date.parse(remote.lastSuccessAt!);
    expect(next).toBeGreaterThanOrEqual(24 * 3_600_000 - 5_000);
    expect(next).toBeLessThanOrEqual(24 * 3_600_000 * 1.1 + 65_000);
    expect(local).toMatchObject({ name: 'local-malware', source: join(dir, 'local.txt'), invalid: 1, invalidSample: [{ line: 3, text: 'not a name!', reason: 'expected an address first' }] });
  });

  it('refreshes with a conditional GET: a 304 keeps the live snapshot as is', async () => {
    const m = manager(config([{ name: 'remote', category: 'ads', source: host.url }]));
    await m.start();
    await m.idle();
    const before = m.matcher;
    let swaps = 0;
    m.onSwap(() => swaps++);
    await m.refresh('remote');
    expect(host.requests.at(-1)).toEqual({ inm: '"v1"', ims: 'Sun, 22 Nov 2026 10:00:00 GMT' });
    expect(swaps).toBe(0);
    expect(m.matcher).toBe(before);
  });

  it('a changed list is compiled in a worker and swapped atomically while queries keep running', async () => {
    const m = manager(config([{ name: 'remote', category: 'ads', source: host.url }]));
    await m.start();
    await m.idle();
    const lines: string[] = [];
    for (let i = 0; i < 300_000; i++) lines.push(`||n${i}.example.org^`);
    lines.push('||new.example.org^');
    host.body = lines.join('\n');
    host.etag = '"v2"';
    const swapped: DomainMatcher[] = [];
    m.onSwap((x) => swapped.push(x));

    // lookups on the event loop during the reload: each sees the old or the new snapshot
    let lookups = 0;
    let stop = false;
    const seen = new Set<number>();
    const spin = () => {
      if (stop) return;
      for (let i = 0; i < 100; i++, lookups++) seen.add(mask(m.matcher, 'new.example.org') | (mask(m.matcher, 'ads.example.org') << 1));
      setImmediate(spin);
    };
    spin();
    await m.refresh();
    stop = true;
    expect(swapped).toHaveLength(1);
    expect(m.matcher).toBe(swapped[0]);
    expect(mask(m.matcher, 'new.example.org')).toBe(ADS);
    expect(mask(m.matcher, 'ads.example.org')).toBe(0);
    // the services catalog is compiled into every snapshot beside the lists
    expect(m.matcher.size).toBe(300_001 + new Set(serviceCatalog().services.flatMap((x) => x.rules)).size);
    expect(lookups).toBeGreaterThan(1000);
    // old snapshot: (0, ADS); new: (ADS, 0); never a mix such as both or neither
    for (const s of seen) expect([ADS << 1, ADS]).toContain(s);
  });

  it('a failing refresh keeps the last good list and exposes the error', async () => {
    const m = manager(config([{ name: 'remote', category: 'ads', source: host.url }]));
    await m.start();
    await m.idle();
    const good = m.status()[0].lastSuccessAt;
    host.failWith = 503;
    const n = host.requests.length;
    await m.refresh('remote');
    expect(host.requests.length - n).toBe(4); // first try and 3 retries
    expect(mask(m.matcher, 'ads.example.org')).toBe(ADS);
    const s = m.status()[0];
    expect(s.lastError).toMatch(/^lists: http:\/\/127\.0\.0\.1:\d+\/list\.txt: HTTP 503$/);
    expect(s.lastSuccessAt).toBe(good);
    expect(s.entries.block).toBe(1);
    host.failWith = 404;
    await m.refresh('remote');
    expect(host.requests.length - n).toBe(5); // a 404 is not retried
  });

  it('a binary file is an error for its source: the last good copy stays live, the source shows why', async () => {
    writeFileSync(join(dir, 'local.txt'), 'bad.example.net\n');
    const m = await startIdle(manager(config([
      { name: 'remote', category: 'ads', source: host.url },
      { name: 'local', category: 'malware', source: 'local.txt' },
    ])));
    expect(mask(m.matcher, 'ads.example.org')).toBe(ADS);
    const before = m.status();
    host.body = readFileSync('/bin/ls');
    host.etag = '"binary"';
    writeFileSync(join(dir, 'local.txt'), readFileSync('/bin/ls'));
    await m.refresh();
    const [remote, local] = m.status();
    for (const [s, was] of [[remote, before[0]], [local, before[1]]] as const) {
      expect(s.lastError).toMatch(/: not a text list: a NUL byte at offset \d+ .*; the last good copy stays$/);
      expect(s.live).toBe(true);
      expect(s.contentSha256).toBe(was.contentSha256);
      expect(s.entries).toEqual(was.entries);
    }
    expect(mask(m.matcher, 'ads.example.org')).toBe(ADS);
    expect(mask(m.matcher, 'bad.example.net')).toBe(MALWARE);
    // and a restart still serves the good copies
    await m.stop();
    const again = await startIdle(manager(config([
      { name: 'remote', category: 'ads', source: host.url },
      { name: 'local', category: 'malware', source: 'local.txt' },
    ])));
    expect(mask(again.matcher, 'ads.example.org')).toBe(ADS);
  });

  it('a source that is mostly invalid lines is refused, one with a few bad lines loads', async () => {
    host.body = 'ads.example.org\n<html>\n<body>captive portal: log in first</body>\n</html>\n';
    const m = await startIdle(manager(config([{ name: 'portal', category: 'ads', source: host.url, format: 'domains' }])));
    const s = m.status()[0];
    expect(s.lastError).toMatch(/^lists: portal: mostly invalid: 3 invalid line\(s\) against 1 rule\(s\) read as domains/);
    expect(s.live).toBe(false);
    expect(mask(m.matcher, 'ads.example.org')).toBe(0);
    host.body = 'ads.example.org\ntracker.example.org\nnot valid!\n';
    host.etag = '"v2"';
    await m.refresh('portal');
    expect(m.status()[0]).toMatchObject({ lastError: null, live: true, invalid: 1 });
    expect(mask(m.matcher, 'ads.example.org')).toBe(ADS);
  });

  it('control bytes of an invalid line are stored escaped', async () => {
    host.body = 'ads.example.org\ntracker.example.org\n\u001b[2Jbad\u0007 line\n';
    const m = await startIdle(manager(config([{ name: 'ctl', category: 'ads', source: host.url, format: 'domains' }])));
    expect(m.status()[0].invalidSample).toEqual([{ line: 3, text: '\\x1b[2Jbad\\x07 line', reason: expect.any(String) }]);
  });

  it('enforces lists.max_bytes and lists.fetch_timeout_ms, recording the error', async () => {
    host.body = 'x'.repeat(5000);
    const m = manager(config([{ name: 'big', category: 'ads', source: host.url }], { max_bytes: 1024, fetch_timeout_ms: 200 }));
    await m.start();
    await m.idle();
    expect(m.status()[0].lastError).toMatch(/exceeds lists.max_bytes \(1024\)/);
    expect(m.status()[0].live).toBe(false);

    const silent = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const t = manager(config([{ name: 'slow', category: 'ads', source: url }], { fetch_timeout_ms: 150 }));
      await t.start();
    await t.idle();
      expect(t.status()[0].lastError).toBe(`lists: ${url}: timed out after 150 ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a restart serves the disk copy at once, without the network', async () => {
    const cfg = config([{ name: 'remote', category: 'ads', source: host.url }]);
    await startIdle(manager(cfg));
    await managers.pop()!.stop();
    host.failWith = 500;
    const n = host.requests.length;
    const m = manager(cfg);
    await m.start();
    await m.idle();
    expect(host.requests.length).toBe(n);
    expect(mask(m.matcher, 'ads.example.org')).toBe(ADS);
  });

  it('a corrupted cache file is detected and fetched again (local files are re-read)', async () => {
    writeFileSync(join(dir, 'local.txt'), 'local.example.net\n');
    const cfg = config([
      { name: 'remote', category: 'ads', source: host.url },
      { name: 'local', category: 'malware', source: 'local.txt' },
    ]);
    await startIdle(manager(cfg));
    await managers.pop()!.stop();
    const cacheDir = join(dir, 'data', 'lists');
    for (const f of readdirSync(cacheDir).filter((x) => x.endsWith('.txt'))) {
      const p = join(cacheDir, f);
      writeFileSync(p, readFileSync(p, 'utf8').replace(/example/g, 'exampIe')); // same length, other bytes
    }
    const n = host.requests.length;
    const m = manager(cfg);
    await m.start();
    await m.idle();
    expect(host.requests.slice(n)).toEqual([{ inm: undefined, ims: undefined }]); // unconditional
    expect(mask(m.matcher, 'ads.example.org')).toBe(ADS);
    expect(mask(m.matcher, 'local.example.net')).toBe(MALWARE);
    expect(logs.join('')).toMatch(/corrupted/);
  });

  it('explains a match with source, category, line and text', async () => {
    host.body = '! header\n||example.org^\n@@||www.example.org^\n|www.example.org^\n';
    writeFileSync(join(dir, 'rpz.zone'), '$ORIGIN rpz.test.\n; comment\nwww.example.org CNAME .\n');
    const m = manager(config([
      { name: 'remote', category: 'ads', source: host.url },
      { name: 'zone', category: 'malware', source: 'rpz.zone', format: 'rpz' },
    ]));
    await m.start();
    await m.idle();
    expect(await m.explain('WWW.Example.org.')).toEqual([
      { source: 'remote', category: 'ads', line: 2, text: '||example.org^', kind: 'block' },
      { source: 'remote', category: 'ads', line: 3, text: '@@||www.example.org^', kind: 'allow' },
      { source: 'remote', category: 'ads', line: 4, text: '|www.example.org^', kind: 'block' },
      { source: 'zone', category: 'malware', line: 3, text: 'www.example.org CNAME .', kind: 'block' },
    ]);
    expect(mask(m.matcher, 'www.example.org')).toBe(MALWARE);
    expect(await m.explain('other.test')).toEqual([]);
  });

  it('caps regular expressions at lists.max_regex with a warning', async () => {
    host.body = '/^a/\n/^b/\n/^c/\n';
    const m = manager(config([{ name: 'remote', category: 'ads', source: host.url }], { max_regex: 2 }));
    await m.start();
    await m.idle();
    expect(mask(m.matcher, 'b.example.org')).toBe(ADS);
    expect(mask(m.matcher, 'c.example.org')).toBe(0);
    expect(m.status()[0]).toMatchObject({ entries: { regex: 2 }, regexOverCap: 1 });
    expect(logs.join('')).toMatch(/1 regular expression rule\(s\) beyond lists.max_regex \(2\)/);
  });

  it('loads the shipped default set when lists.bundled is on, and drops it when off', async () => {
    const m = manager(config([], { bundled: true }));
    await m.start();
    await m.idle();
    expect(mask(m.matcher, 'use-application-dns.net')).toBe(BYPASS);
    expect(mask(m.matcher, 'malware.selftest.nestguard.test')).toBe(MALWARE);
    expect(m.status().map((s) => s.name)).toContain('nestguard-default-bypass');
    // real third-party data from the npm registry: MetaMask's phishing hosts file
    const eth = m.status().find((s) => s.name === 'eth-phishing-detect');
    expect(eth?.live).toBe(true);
    expect(mask(m.matcher, 'www.yearnson.finance')).toBe(1 << categories.bit('phishing')!);
    expect(mask(m.matcher, 'localhost')).toBe(0);
    await managers.pop()!.stop();
    const off = manager(config([]));
    await off.start();
    await off.idle();
    expect(off.status()).toEqual([]);
    expect(mask(off.matcher, 'use-application-dns.net')).toBe(0);
    await expect.poll(() => readdirSync(join(dir, 'data', 'lists'))).toEqual([]); // copies of dropped sources removed
  });

  it('never writes a queried name to the logs', async () => {
    const m = manager(config([{ name: 'remote', category: 'ads', source: host.url }]));
    await m.start();
    await m.idle();
    await m.explain('private-lookup.example.com');
    await m.refresh();
    expect(logs.join('')).not.toMatch(/private-lookup/);
  });
});
