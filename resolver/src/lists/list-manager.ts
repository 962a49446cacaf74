import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.js';
import { bundledSources } from './bundled-lists.js';
import { normalizeName } from './domain-name.js';
import { categories } from './categories.js';
import { CompiledMatcher, emptyMatcher, type DomainMatcher } from './domain-matcher.js';
import { ListCache, sha256Hex } from './list-cache.js';
import { fetchList, isUrl, readLocalList } from './list-fetcher.js';
import type { DeclaredSource, ListSourceRow, ListSourceStore, SourceFormat } from './list-source-types.js';
import { reloadServiceCatalog, serviceCatalog, serviceCategory, type ServiceCatalog } from './service-catalog.js';
import type { BuildService, BuildSource } from './snapshot-build.js';
import { WorkerRunner } from './worker-runner.js';

// Owns the blocklist sources: imports the declared ones, keeps a verified copy of each on
// disk, refreshes them on schedule, and compiles the enabled ones into one snapshot in a
// worker. The live snapshot is swapped in one assignment, so a query sees the old or the new
// lists, never a mix, and a failed refresh leaves the last good snapshot serving.

export interface ListManagerOptions {
  /** the source table (store/list-source-repository.ts) */
  sources: ListSourceStore;
  config: Config;
  baseDir: string;
  logger: Logger;
  /** first retry delay for a failing URL within one refresh */
  fetchBackoffMs?: number;
  /**
   * false in a cluster worker: another process (the primary) owns the sources, their
   * downloads and disk copies; this one only builds its snapshot from those copies, at start
   * and on every refresh (see `followCopies`)
   */
  fetch?: boolean;
}

export interface ListSourceStatus extends ListSourceRow {
  /** part of the snapshot now serving */
  live: boolean;
  nextRefreshAt: string | null;
}

export interface RefreshProgress {
  phase: 'fetching' | 'compiling';
  total: number;
  fetched: number;
  /** the source just fetched */
  source?: string;
}

export interface ExplainedRule {
  source: string;
  category: string;
  line: number;
  text: string;
  kind: 'block' | 'allow';
}

/** A source that failed is tried again sooner than its period, but not hammered; one that
 *  never loaded (first start offline) sooner still. */
const FAILED_RETRY_MS = 30 * 60_000;
const NEVER_LOADED_RETRY_MS = 5 * 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ListManager {
  private current: DomainMatcher = emptyMatcher();
  private readonly listeners = new Set<(m: DomainMatcher) => void>();
  private readonly store: ListSourceStore;
  private readonly cache: ListCache;
  private readonly runner = new WorkerRunner();
  private readonly log: Logger;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly nextAt = new Map<string, number>();
  /** digest of each cached copy verified since start: only these are compiled */
  private readonly verified = new Map<string, string>();
  /** refreshes and builds run one at a time, in call order */
  private queue: Promise<void> = Promise.resolve();
  private builtKey: string | null = null;
  private live = new Set<string>();
  /** the services catalog compiled into the live snapshot (or about to be) */
  private catalog: ServiceCatalog | undefined;
  private stopped = false;

  constructor(private o: ListManagerOptions) {
    this.store = o.sources;
    this.cache = new ListCache(join(o.config.data_dir, 'lists'));
    this.log = o.logger;
  }

  get matcher(): DomainMatcher {
    return this.current;
  }

  /** Called with each new snapshot right after it goes live; returns an unsubscribe. */
  onSwap(fn: (m: DomainMatcher) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Imports declared sources, serves the disk copies (fetching only what is missing or
   *  corrupted), and resolves once the first snapshot is live. */
  async start(): Promise<void> {
    if (this.o.fetch === false) return this.followCopies();
    this.importDeclared();
    const rows = this.store.all().filter((r) => r.enabled);
    // Serve at once from what is on this machine (local files, copies kept from earlier
    // fetches); a URL never fetched yet is downloaded in the background, so a list host that
    // is down or slow never delays the first answer.
    const first = rows.filter((r) => !isUrl(r.source) || r.contentSha256 !== null);
    const later = rows.filter((r) => !first.includes(r));
    await this.serialize(async () => {
      await Promise.all(first.map((r) => this.updateCopy(r, false, 1)));
      await this.rebuild();
    });
    for (const r of first) this.schedule(r);
    if (later.length > 0) {
      this.serialize(async () => {
        await Promise.all(later.map((r) => this.updateCopy(r, false, 1)));
        await this.rebuild();
        for (const r of later) this.schedule(this.store.get(r.name) ?? r);
      }).catch((e: Error) => this.log.error(`lists: first download failed: ${e.message}`));
    }
  }

  /** Resolves once every queued fetch and rebuild (first downloads included) has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  /**
   * Adopts a reloaded configuration (its declared sources and list settings), then re-reads
   * every source. The data directory stays the one the manager started with.
   */
  async reconfigure(config: Config, baseDir: string): Promise<void> {
    if (this.o.fetch === false) {
      this.o = { ...this.o, config: { ...config, data_dir: this.o.config.data_dir }, baseDir };
      return this.followCopies();
    }
    await this.serialize(async () => {
      this.o = { ...this.o, config: { ...config, data_dir: this.o.config.data_dir }, baseDir };
      this.importDeclared();
    });
    await this.refresh();
  }

  /**
   * Re-fetches one source (or every enabled one) and rebuilds the snapshot if anything changed.
   * `progress` hears each fetched source and the compile (the admin API's refresh progress).
   */
  refresh(name?: string, progress?: (p: RefreshProgress) => void): Promise<void> {
    if (this.o.fetch === false) return this.followCopies();
    return this.serialize(async () => {
      let rows: ListSourceRow[];
      if (name === undefined) rows = this.store.all().filter((r) => r.enabled);
      else {
        const row = this.store.get(name);
        if (!row) throw new Error(`lists: unknown source "${name}"`);
        rows = row.enabled ? [row] : [];
      }
      let fetched = 0;
      progress?.({ phase: 'fetching', total: rows.length, fetched });
      await Promise.all(rows.map(async (r) => {
        await this.updateCopy(r, true);
        progress?.({ phase: 'fetching', total: rows.length, fetched: ++fetched, source: r.name });
      }));
      progress?.({ phase: 'compiling', total: rows.length, fetched });
      if (name === undefined) this.reloadCatalog();
      await this.rebuild();
      for (const r of name === undefined ? this.store.all() : [this.store.get(name)!]) this.schedule(r);
    });
  }

  /**
   * The source table changed (a source added, edited, disabled or removed through the API):
   * fetches `name` when it is enabled, forgets what is gone, and rebuilds.
   */
  sourcesChanged(name?: string): Promise<void> {
    if (name !== undefined && this.store.get(name)?.enabled) return this.refresh(name);
    return this.serialize(async () => {
      const known = new Set(this.store.all().map((r) => r.name));
      for (const gone of [...this.timers.keys()].filter((n) => !known.has(n))) {
        clearTimeout(this.timers.get(gone));
        this.timers.delete(gone);
        this.nextAt.delete(gone);
        this.verified.delete(gone);
        this.cache.remove(gone).catch((e: Error) => this.log.warn(`lists: ${gone}: cannot remove cached copy: ${e.message}`));
      }
      await this.rebuild();
      for (const r of this.store.all()) this.schedule(r);
    });
  }

  /**
   * Builds the snapshot from the disk copies the sources' owner wrote, as they are now: no
   * download, no write, no schedule. A copy that does not verify is left out until it does.
   */
  followCopies(): Promise<void> {
    return this.serialize(async () => {
      for (const r of this.store.all().filter((x) => x.enabled)) {
        const check = await this.cache.verify(r.name);
        if (check.ok && check.sha256 === r.contentSha256) this.verified.set(r.name, check.sha256);
        else this.verified.delete(r.name);
      }
      await this.rebuild();
    });
  }

  status(): ListSourceStatus[] {
    return this.store.all().map((r) => {
      const next = this.nextAt.get(r.name);
      return { ...r, live: this.live.has(r.name), nextRefreshAt: next === undefined ? null : new Date(next).toISOString() };
    });
  }

  /** Which lines of the live sources match `name`, read from the cached copies in a worker. */
  async explain(name: string): Promise<ExplainedRule[]> {
    const rows = this.store.all().filter((r) => this.live.has(r.name));
    const category = new Map(rows.map((r) => [r.name, r.category]));
    const matches = await this.runner.run({
      kind: 'explain',
      name,
      sources: rows.map((r) => ({ name: r.name, file: this.cache.fileFor(r.name), format: r.format })),
    });
    const out: ExplainedRule[] = matches.map((m) => ({ source: m.source, category: category.get(m.source) ?? '', line: m.line, text: m.text, kind: m.kind }));
    const n = normalizeName(name);
    if ('name' in n && this.catalog) {
      for (const s of this.catalog.services) {
        const i = s.rules.findIndex((r) => n.name === r || n.name.endsWith(`.${r}`));
        if (i >= 0) out.push({ source: 'services', category: serviceCategory(s.id), line: i + 1, text: s.rules[i], kind: 'block' });
      }
    }
    return out;
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.nextAt.clear();
    return this.runner.terminate();
  }

  private serialize(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => {});
    return run;
  }

  private importDeclared(): void {
    const { config, baseDir } = this.o;
    const declared: DeclaredSource[] = config.blocklists.map((b) => ({
      name: b.name,
      category: b.category,
      source: isUrl(b.source) ? b.source : resolve(baseDir, b.source),
      format: (b.format ?? 'auto') as SourceFormat,
      enabled: b.enabled ?? true,
      refreshHours: b.refresh_hours ?? null,
      description: b.description ?? null,
      license: b.license ?? null,
    }));
    const dropped = [
      ...this.store.importDeclared(declared, 'config'),
      ...this.store.importDeclared(config.lists.bundled ? bundledSources() : [], 'bundled'),
    ];
    for (const name of dropped) {
      this.cache.remove(name).catch((e: Error) => this.log.warn(`lists: ${name}: cannot remove cached copy: ${e.message}`));
    }
  }

  /**
   * Brings one source's disk copy up to date. With `force` false a verified copy is used as
   * is (start: serve now, refresh on schedule); otherwise the source is asked for changes.
   * Any failure is recorded on the source and leaves its previous copy in place.
   */
  private async updateCopy(row: ListSourceRow, force: boolean, retries?: number): Promise<void> {
    const at = new Date().toISOString();
    const check = await this.cache.verify(row.name);
    const current = check.ok && check.sha256 === row.contentSha256;
    if (current) this.verified.set(row.name, check.sha256);
    else {
      this.verified.delete(row.name);
      if (!check.ok && check.reason !== 'no cached copy') this.log.warn({ source: row.name }, `lists: ${row.name}: ${check.reason}, reading the source again`);
    }
    if (current && !force) return;
    const { fetch_timeout_ms: timeoutMs, max_bytes: maxBytes } = this.o.config.lists;
    try {
      let body: Buffer;
      let etag: string | null = null;
      let lastModified: string | null = null;
      if (isUrl(row.source)) {
        const r = await fetchList(row.source, {
          etag: current ? row.etag : null,
          lastModified: current ? row.lastModified : null,
          timeoutMs,
          maxBytes,
          retries,
          backoffMs: this.o.fetchBackoffMs,
        });
        if (r.status === 'not-modified') {
          this.store.recordUnchanged(row.name, at);
          return;
        }
        ({ body, etag, lastModified } = r);
      } else {
        body = await readLocalList(row.source, maxBytes);
        if (current && sha256Hex(body) === row.contentSha256) {
          this.store.recordUnchanged(row.name, at);
          return;
        }
      }
      // a copy that is not a list never replaces the last good one
      const checked = await this.runner.run({ kind: 'check', name: row.name, body, format: row.format, maxRegex: this.o.config.lists.max_regex });
      if (checked.error !== null) throw new Error(`${checked.error}${current ? '; the last good copy stays' : ''}`);
      const sha256 = await this.cache.write(row.name, body);
      this.verified.set(row.name, sha256);
      this.store.recordSuccess(row.name, at, { etag, lastModified, sha256, bytes: body.length });
    } catch (e) {
      const msg = (e as Error).message;
      this.store.recordError(row.name, at, msg);
      this.log.warn({ source: row.name }, msg.startsWith('lists:') ? msg : `lists: ${row.name}: ${msg}`);
    }
  }

  /** The services catalog changed on disk? A broken one keeps the last good catalog serving. */
  private reloadCatalog(): void {
    try {
      this.catalog = reloadServiceCatalog();
    } catch (e) {
      this.log.error(`lists: ${(e as Error).message}`);
    }
  }

  /** Compiles the enabled sources with a verified copy and the services catalog, unless that is what is live. */
  private async rebuild(): Promise<void> {
    const rows = this.store.all().filter((r) => r.enabled && r.contentSha256 !== null && this.verified.get(r.name) === r.contentSha256);
    this.catalog ??= serviceCatalog();
    const catalog = this.catalog;
    const key = JSON.stringify([catalog.digest, rows.map((r) => [r.name, r.contentSha256, r.category, r.format])]);
    if (key === this.builtKey) return;
    categories.allocate((names) => this.store.categoryBits(names), [...rows.map((r) => r.category), ...catalog.services.map((s) => serviceCategory(s.id))]);
    const sources: BuildSource[] = rows.map((r) => ({ name: r.name, file: this.cache.fileFor(r.name), format: r.format, category: categories.bit(r.category)! }));
    const services: BuildService[] = catalog.services.map((s) => ({ id: s.id, category: categories.bit(serviceCategory(s.id))!, rules: s.rules }));
    const t0 = performance.now();
    const result = await this.runner.run({ kind: 'build', sources, services, maxRegex: this.o.config.lists.max_regex });
    if (this.stopped) return;
    const matcher = new CompiledMatcher(result.tables);
    let overCap = 0;
    for (const [name, stats] of Object.entries(result.stats)) {
      this.store.recordStats(name, stats);
      overCap += stats.regexOverCap;
    }
    for (const [name, err] of Object.entries(result.errors)) this.store.recordError(name, new Date().toISOString(), err);
    if (overCap > 0) this.log.warn(`lists: ${overCap} regular expression rule(s) beyond lists.max_regex (${this.o.config.lists.max_regex}) ignored`);
    this.current = matcher;
    this.builtKey = key;
    this.live = new Set(Object.keys(result.stats));
    this.log.info({ sources: this.live.size, entries: matcher.size, bytes: matcher.byteLength, ms: Math.round(performance.now() - t0) }, 'lists: snapshot live');
    for (const fn of this.listeners) {
      try {
        fn(matcher);
      } catch (e) {
        this.log.error({ err: e }, 'lists: swap listener failed');
      }
    }
  }

  private schedule(row: ListSourceRow): void {
    const old = this.timers.get(row.name);
    if (old) clearTimeout(old);
    this.timers.delete(row.name);
    this.nextAt.delete(row.name);
    if (this.stopped || !row.enabled) return;
    const period = (row.refreshHours ?? this.o.config.lists.refresh_hours) * 3_600_000;
    const last = row.lastSuccessAt ? Date.parse(row.lastSuccessAt) : 0;
    const failing = row.lastError !== null;
    const due = failing ? Math.min(period, last ? FAILED_RETRY_MS : NEVER_LOADED_RETRY_MS) : Math.max(0, last + period - Date.now());
    // jitter spreads a fleet of resolvers (and our own sources) over time instead of a
    // thundering herd on the list hosts at the same minute
    const delay = Math.min(MAX_TIMER_MS, due + Math.random() * (due * 0.1 + 60_000));
    const timer = setTimeout(() => {
      this.timers.delete(row.name);
      this.refresh(row.name).catch((e: Error) => this.log.error({ source: row.name }, e.message));
    }, delay);
    timer.unref();
    this.timers.set(row.name, timer);
    this.nextAt.set(row.name, Date.now() + delay);
  }
}
