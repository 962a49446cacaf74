import { LRUCache } from 'lru-cache';
import type { ResponseInfo } from '../dns/response-info.js';
import type { WireName } from '../dns/wire-name.js';
import { questionHash, sameQuestion } from './question-key.js';

const RECENCY_GRAIN_MS = 1000;
const ENTRY_OVERHEAD = 1200;

export interface CacheOptions {
  maxEntries: number;
  maxBytes: number;
  minTtl: number;
  maxTtl: number;
  negativeMaxTtl: number;
  staleWindowS: number;
}

/**
 * One upstream answer as cached: the upstream's bytes (never re-encoded), where its TTLs sit,
 * and its lifetime. Variants without/with an OPT record are derived lazily per client kind.
 *
 * The fields come in the order a cache hit reads them (V8 lays an object out in the order its
 * fields are first written), so a hit touches the object's first cache lines only. Times are
 * kept as ms after `storedAt`: a small integer lives in the object itself, while every time
 * since 1970 is a separate heap number, one more memory read per hit.
 */
export class CacheEntry {
  readonly dnssecOk: boolean;
  readonly checkingDisabled: boolean;
  /** the upstream answer with its OPT as received, if it had one */
  resp: Buffer;
  readonly storedAt: number;
  /** fresh until storedAt + lifetimeMs, then servable stale until storedAt + staleMs */
  readonly lifetimeMs: number;
  readonly staleMs: number;
  /** last time the LRU was told of a use, ms after storedAt */
  touchedMs = 0;
  /** the network this answer was last allowed for, and the policy epoch it was decided in */
  allowedNet: object | null = null;
  allowedEpoch = -1;
  readonly cnameTargets: WireName[] | null;
  hits = 0;
  prefetching = false;
  /** the age (whole seconds) the TTLs in `resp` / in `withOpt` were last written for; -1 = as received */
  respAge = -1;
  /** for clients without EDNS: a view of `resp` without its trailing OPT */
  noOpt: Buffer | null = null;
  /** for EDNS clients when the upstream sent no OPT: our bare OPT appended */
  withOpt: Buffer | null = null;
  withOptAge = -1;
  /** the upstream's ARCOUNT (the shared bytes are rewritten per reply and variant) */
  readonly arcount: number;
  /** the OPT record's offset (-1: none) and whether it is the last record, from `info` */
  readonly optStart: number;
  readonly optLast: boolean;
  // read when the TTLs are rewritten (once a second), on a refresh, or never on a hit
  readonly key: number;
  /** lower-cased question bytes: name, type, class */
  readonly question: Uint8Array;
  readonly info: ResponseInfo;
  /** clamped per-record TTLs, as served at age 0 */
  readonly ttls: Uint32Array;
  /** when the last attempt to refresh this (stale) entry failed; 0 = never */
  refreshFailedAt = 0;
  readonly size: number;

  constructor(
    key: number,
    question: Uint8Array,
    dnssecOk: boolean,
    checkingDisabled: boolean,
    resp: Buffer,
    info: ResponseInfo,
    ttls: Uint32Array,
    storedAt: number,
    lifetimeMs: number,
    staleWindowMs: number,
  ) {
    this.dnssecOk = dnssecOk;
    this.checkingDisabled = checkingDisabled;
    this.resp = resp;
    this.storedAt = storedAt;
    this.lifetimeMs = lifetimeMs;
    this.staleMs = lifetimeMs + staleWindowMs;
    this.cnameTargets = info.cnameTargets;
    this.arcount = (resp[10] << 8) | resp[11];
    this.optStart = info.optStart;
    this.optLast = info.optLast;
    this.key = key;
    this.question = question;
    this.info = info;
    this.ttls = ttls;
    // what an entry really costs in the process (measured with --expose-gc over 200k
    // entries: ~1.2 KB of V8 heap for the objects and views, plus the bytes, plus each CNAME
    // target's name object), so that cache.max_bytes bounds memory rather than payload
    let size = resp.length + question.length + info.ttlOffsets.length * 8 + ENTRY_OVERHEAD;
    if (this.cnameTargets !== null) for (const t of this.cnameTargets) size += t.memoryBytes;
    this.size = size;
  }

  /** ms since 1970 */
  get expiresAt(): number {
    return this.storedAt + this.lifetimeMs;
  }

  get staleUntil(): number {
    return this.storedAt + this.staleMs;
  }
}

/** Counters for the admin API: hits, misses, size. */
export class CacheStats {
  hits = 0;
  misses = 0;
  staleServed = 0;
  prefetches = 0;
  inserts = 0;
}

export class ResponseCache {
  readonly stats = new CacheStats();
  /** owns the entries: bounds by count and bytes, evicts the least recently used */
  private lru: LRUCache<number, CacheEntry> | null;
  /**
   * The same entries for lookups. A hit reads this plain Map (tens of ns) and tells the LRU
   * about the use at most once a second per entry: an LRU `get` on every hit costs several
   * times the Map read, and recency at one-second grain evicts the same cold entries.
   */
  private readonly index = new Map<number, CacheEntry>();

  constructor(readonly opts: CacheOptions) {
    this.lru = this.createLru();
  }

  /**
   * New limits and TTL rules from now on (a configuration reload). The entries kept move to
   * a new LRU, least recently used first, so the new bounds evict the coldest ones.
   */
  reconfigure(opts: CacheOptions): void {
    const sizeChanged = opts.maxEntries !== this.opts.maxEntries || opts.maxBytes !== this.opts.maxBytes;
    Object.assign(this.opts, opts);
    if (!sizeChanged) return;
    const old = this.lru;
    this.lru = this.createLru();
    if (old === null) return;
    const kept = [...old.rentries()] as Array<[number, CacheEntry]>;
    // the old LRU's dispose must not drop entries that move across
    old.clear();
    this.index.clear();
    if (this.lru === null) return;
    for (const [key, e] of kept) {
      this.lru.set(key, e);
      this.index.set(key, e);
    }
    // set() may have evicted some again; the index keeps only what the LRU holds
    for (const key of [...this.index.keys()]) if (!this.lru.has(key)) this.index.delete(key);
  }

  private createLru(): LRUCache<number, CacheEntry> | null {
    const opts = this.opts;
    // lru-cache allocates its slot arrays for `max` up front: no more slots than max_bytes
    // can hold entries, so a huge max_entries costs no memory the byte budget would not allow
    const slots = Math.min(opts.maxEntries, Math.ceil(opts.maxBytes / ENTRY_OVERHEAD));
    return slots > 0
      ? new LRUCache<number, CacheEntry>({
        max: slots,
        maxSize: opts.maxBytes,
        sizeCalculation: (e) => e.size,
        dispose: (e, key) => {
          if (this.index.get(key) === e) this.index.delete(key);
        },
      })
      : null;
  }

  /** The entry for the question at msg[start..end) with these DO and CD bits, fresh or stale; null if none. */
  find(msg: Uint8Array, start: number, end: number, dnssecOk: boolean, checkingDisabled: boolean, now: number): CacheEntry | null {
    const key = questionHash(msg, start, end, dnssecOk, checkingDisabled);
    const e = this.index.get(key);
    // compared with the answer's own question (its bytes are read for the reply anyway),
    // not with `question`: one object fewer to bring into the CPU cache per hit
    if (e === undefined || e.dnssecOk !== dnssecOk || e.checkingDisabled !== checkingDisabled || !sameQuestion(e.resp, 12, msg, start, end)) return null;
    const age = now - e.storedAt;
    if (age > e.staleMs) {
      this.lru!.delete(key);
      return null;
    }
    if (age - e.touchedMs > RECENCY_GRAIN_MS) {
      e.touchedMs = age;
      this.lru!.get(key);
    }
    return e;
  }

  /**
   * Builds an entry for an upstream answer and stores it when cacheable. Returns the entry
   * either way (waiting clients are served from it), or null if the answer has a lifetime
   * that forbids even that (the caller relays it uncached).
   */
  store(question: Uint8Array, dnssecOk: boolean, checkingDisabled: boolean, resp: Buffer, info: ResponseInfo, now: number): CacheEntry {
    const o = this.opts;
    // A caching recursive service answers with RA=1 and AA=0 whatever the upstream set (an
    // authoritative upstream sets AA and leaves RA clear), and echoes the client's CD bit
    // (RFC 4035 3.2.2), which the key guarantees is this question's: every reply, fresh or
    // cached, is made from these bytes. Flag bits only; the records are not touched.
    resp[2] &= ~0x04;
    resp[3] = (resp[3] & ~0x10) | 0x80 | (checkingDisabled ? 0x10 : 0);
    // clamped in place: the analysis is this entry's own
    const ttls = info.ttls;
    for (let i = 0; i < ttls.length; i++) ttls[i] = Math.min(Math.max(ttls[i], o.minTtl), o.maxTtl);
    let lifetime = info.lifetime;
    if (lifetime >= 0) {
      lifetime = Math.min(Math.max(lifetime, o.minTtl), o.maxTtl);
      if (info.negative) {
        lifetime = Math.min(lifetime, o.negativeMaxTtl);
        // RFC 2308 5: the SOA (and the CNAMEs before it) are served with no more TTL than
        // the negative answer itself lives here, so downstream caches do not keep it longer
        for (let i = 0; i < ttls.length; i++) if (ttls[i] > lifetime) ttls[i] = lifetime;
      }
    }
    const lifetimeMs = Math.max(lifetime, 0) * 1000;
    const key = questionHash(question, 0, question.length, dnssecOk, checkingDisabled);
    const entry = new CacheEntry(key, question, dnssecOk, checkingDisabled, resp, info, ttls, now, lifetimeMs, o.staleWindowS * 1000);
    // an OPT in the middle of the additional section cannot be cut off cheaply: rare enough
    // to relay uncached rather than complicate every hit. A truncated answer (TC=1 from a
    // stream upstream, which has nowhere better to send us) is relayed once, never kept.
    const truncated = (resp[2] & 0x02) !== 0;
    // lookups compare the answer's question (the upstreams check it answers this one)
    const cacheable = lifetime > 0 && !truncated && sameQuestion(resp, 12, question, 0, question.length) && (info.optStart < 0 || info.optLast) && this.lru !== null;
    if (cacheable) {
      this.lru!.set(key, entry);
      this.index.set(key, entry);
      this.stats.inserts++;
    }
    return entry;
  }

  /** Replaces the entry's buffers with private copies: a send still references the old ones. */
  detach(e: CacheEntry): void {
    e.resp = Buffer.from(e.resp);
    if (e.noOpt) e.noOpt = e.resp.subarray(0, e.noOpt.length);
    if (e.withOpt) e.withOpt = Buffer.from(e.withOpt);
  }

  get size(): number {
    return this.lru ? this.lru.size : 0;
  }

  get bytes(): number {
    return this.lru ? this.lru.calculatedSize : 0;
  }

  clear(): void {
    this.lru?.clear();
    this.index.clear();
  }
}
