import type { Logger } from 'pino';
import type { CacheEntry, ResponseCache } from '../cache/response-cache.js';
import { analyseResponse } from '../dns/response-info.js';
import type { ExchangeSink } from '../upstream/transport.js';

// One question on its way to the upstreams, with every request waiting for its answer (the
// coalescing of identical queries). It is the upstream's sink itself, so that a cache miss
// costs this object and its waiters, not a Promise and the closures to read it.

/** A client (or internal) request waiting for an upstream answer: null = it failed. */
export type Waiter = (entry: CacheEntry | null) => void;

/** What every fetch shares. */
export interface FetchTable {
  readonly cache: ResponseCache;
  /** the fetches on their way, by question key */
  readonly inflight: Map<number, InflightFetch>;
  readonly log: Logger;
}

export class InflightFetch implements ExchangeSink {
  readonly waiters: Waiter[];

  constructor(
    private readonly table: FetchTable,
    readonly key: number,
    /** lower-cased question bytes: name, type, class */
    readonly question: Uint8Array,
    readonly dnssecOk: boolean,
    readonly checkingDisabled: boolean,
    /** false when another question with the same key holds the table's slot */
    private readonly registered: boolean,
    waiter: Waiter,
  ) {
    this.waiters = [waiter];
  }

  answered(resp: Buffer): void {
    let entry: CacheEntry | null = null;
    try {
      const info = analyseResponse(resp);
      if (info === null) this.table.log.warn({ stage: 'upstream' }, 'upstream: malformed answer dropped');
      else entry = this.table.cache.store(this.question, this.dnssecOk, this.checkingDisabled, resp, info, Date.now());
    } catch (err) {
      // called from a socket's event: a bug must cost this answer, not the process
      this.table.log.error({ err, stage: 'resolver' }, 'resolver: failed to keep an upstream answer');
    }
    this.finish(entry);
  }

  failed(): void {
    this.finish(null);
  }

  private finish(entry: CacheEntry | null): void {
    if (this.registered) this.table.inflight.delete(this.key);
    for (const w of this.waiters) {
      try {
        w(entry);
      } catch (err) {
        this.table.log.error({ err, stage: 'resolver' }, 'resolver: failed to answer a waiting query');
      }
    }
  }
}
