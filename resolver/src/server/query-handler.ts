import type { Logger } from 'pino';
import { answerFromEntry, servedTtl } from '../cache/cached-answer.js';
import { lowerQuestion, questionHash } from '../cache/question-key.js';
import type { CacheEntry, ResponseCache } from '../cache/response-cache.js';
import { copyAnswerRecords } from '../dns/answer-copy.js';
import { anyResponse, blockedResponse, cnameResponse, EDE_BLOCKED, EDE_FILTERED, type Ede, errorResponse, truncatedResponse, upstreamQuery } from '../dns/message-builders.js';
import { ResolverNames } from '../dns/resolver-names.js';
import type { WireName } from '../dns/wire-name.js';
import {
  CLASS_IN, ParsedQuery, ParseStatus, parseQuery,
  RCODE_BADVERS, RCODE_FORMERR, RCODE_NOERROR, RCODE_NOTIMP, RCODE_REFUSED, RCODE_SERVFAIL, TYPE_ANY,
} from '../dns/wire.js';
import { categories } from '../lists/categories.js';
import { Action, Decision, type NetworkRuntime, type PolicyEngine } from '../policy/policy-types.js';
import { isEncryptedDnsSignal } from '../policy/encrypted-dns-signals.js';
import { Counter, countBlock, type NetworkCounters } from '../stats/network-counters.js';
import type { ExchangeSink } from '../upstream/transport.js';
import { ResponseRateLimiter, RrlVerdict, type RateLimitOptions } from './response-rate-limit.js';
import { type FetchTable, InflightFetch, type Waiter } from './inflight-fetch.js';
import { OutsideClients } from './outside-clients.js';

// The query path, in the order ARCHITECTURE.md gives it:
//   wire parse -> client's network (REFUSED if none) -> policy (block / safe-search rewrite)
//   -> cache -> upstream (coalesced) -> stats.
// Policy sits before the cache because the cache is shared by every network while the
// decision is per network. Everything up to a cache hit or a block is synchronous and
// returns the reply bytes; only a miss goes asynchronous and answers through the responder.

export interface Responder<C> {
  deliver(resp: Buffer, ctx: C): void;
  /**
   * Transports whose message and context live only as long as the call (the batched UDP
   * reader reuses both for the next batch) return here a context that outlives it; the
   * handler then keeps a private copy of the message too. Asked only when the answer comes later.
   */
  keep?(ctx: C): C;
  /**
   * True when `deliver` has copied the reply's bytes by the time it returns (the batched UDP
   * writer copies them into its send slots): a later answer may then be the cache entry's
   * own Buffer, patched, as a cache hit's is, instead of a private copy per miss.
   */
  readonly copiesOnDeliver?: boolean;
}

/** The datagrams of one read, slot i holding datagram i (batched UDP). */
export interface DatagramBatch<C> extends Responder<C> {
  readonly count: number;
  /** the UDP payload ceiling */
  readonly maxUdp: number;
  /** slot views; only the first `lengths[i]` bytes are datagram i (negative: drop it) */
  readonly messages: readonly Buffer[];
  readonly lengths: Int32Array;
  /** the source address of datagram i, as text */
  client(i: number): string;
  /** the reply to datagram i, sent with the rest of the batch; `i` is also the context handed to `keep` */
  reply(i: number, resp: Buffer): void;
}

export interface Upstream {
  /** the answer to `query` or the failure goes to `sink`, never before this returns */
  resolve(query: Buffer, deadline: number, sink: ExchangeSink): void;
}

export interface StatsSink {
  readonly unmatched: NetworkCounters;
  /** the counters of one network: the same object for an id across policy snapshots */
  countersFor(networkId: number, name: string): NetworkCounters;
  /** the listed name that blocked a query of network `networkId`, as wire labels in `buf`
   *  (never called for a name that was allowed) */
  recordBlockedName(networkId: number, buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): void;
}

export interface HandlerOptions {
  resolveTimeoutMs: number;
  staleAnswerTtl: number;
  /** answer stale after this long when the upstream is slow and a stale entry exists */
  staleAnswerTimeoutMs: number;
  prefetch: boolean;
  /** client queries waiting for upstream answers at once; past it new ones get SERVFAIL */
  maxWaiting: number;
  /** response rate limiting of UDP answers per client prefix; absent or 0 = off */
  rateLimit?: RateLimitOptions;
}

const NULL_V4 = new Uint8Array(4);
const NULL_V6 = new Uint8Array(16);
const NULL_ADDRESSES = [NULL_V4, NULL_V6];
const NO_ADDRESSES: Uint8Array[] = [];
const STREAM_MAX = 65535;
/** prefetch when less than this share of the lifetime is left, for entries hit this often */
const PREFETCH_REMAINING = 0.1;
const PREFETCH_MIN_HITS = 2;
/** RFC 8767 4: after a failed refresh, serve stale without asking upstream for this long */
const STALE_RECHECK_MS = 30_000;

/** A private copy of msg[0..len): byte by byte, since a partial `copy` or `set` allocates a view of the slot first. */
function copyOut(msg: Buffer, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) b[i] = msg[i];
  return b;
}

export class QueryHandler {
  private readonly q = new ParsedQuery();
  private readonly later = new ParsedQuery();
  private readonly decision = new Decision();
  private readonly inflight = new Map<number, InflightFetch>();
  private readonly fetches: FetchTable;
  private readonly edeByCategory: Ede[] = [];
  private readonly edeDeny: Ede = { code: EDE_BLOCKED, text: 'blocked by network policy' };
  /** the CNAME target the last `cnameBlocked` call found blocked */
  private cnameHit: WireName | null = null;
  /** the cache entry whose own Buffer the last sync reply was (UDP may have to detach it) */
  sharedEntry: CacheEntry | null = null;
  /** true when the last `handle` call will answer later through the responder */
  wentAsync = false;
  /** client queries waiting for an upstream answer now */
  private waiting = 0;
  /** queries answered SERVFAIL at once because `maxWaiting` were already waiting */
  waitingRefused = 0;
  /** queries refused because their source is in no network, for the once-a-minute notice */
  readonly outside = new OutsideClients();
  /** the names the resolver answers itself (browser DoH canary, DDR); set from the configuration */
  ownNames = new ResolverNames(null);
  /** UDP answers per client prefix (RRL), null when off */
  readonly rateLimiter: ResponseRateLimiter | null;
  /**
   * The network the last query came from and its counters. Policy snapshots carry no stats
   * (the decision holds no counters), so the counters are looked up by network id; most
   * consecutive queries come from the same network, which makes this one comparison.
   */
  private countedNet: NetworkRuntime | null = null;
  private countedCounters: NetworkCounters | null = null;

  constructor(
    private readonly policy: PolicyEngine,
    private readonly cache: ResponseCache,
    private readonly upstream: Upstream,
    private readonly stats: StatsSink,
    private readonly opts: HandlerOptions,
    private readonly log: Logger,
  ) {
    this.rateLimiter = opts.rateLimit && opts.rateLimit.ratelimit > 0 ? new ResponseRateLimiter(opts.rateLimit) : null;
    this.fetches = { cache, inflight: this.inflight, log };
  }

  /**
   * Handles one query. Returns the reply to send now, or null when there is nothing to send
   * now: either the packet is dropped or the reply will come through `responder`.
   * `client` is the source address, or the network already identified (DoH token).
   * `maxUdp` is the UDP payload ceiling, 0 for stream transports (TCP, DoH).
   */
  handle<C>(msg: Buffer, client: string | NetworkRuntime, maxUdp: number, responder: Responder<C>, ctx: C): Buffer | null {
    return this.answer(msg, msg.length, client, maxUdp, responder, ctx);
  }

  /**
   * Handles a batch of datagrams in one call: the same path as `handle` for each, with the
   * synchronous replies handed to `batch.reply` (no closure or Promise per datagram).
   */
  handleBatch<C>(batch: DatagramBatch<C | number>): void {
    const { messages, lengths, maxUdp } = batch;
    for (let i = 0; i < batch.count; i++) {
      const len = lengths[i];
      if (len < 0) continue;
      let resp: Buffer | null;
      try {
        resp = this.answer(messages[i], len, batch.client(i), maxUdp, batch, i);
      } catch (err) {
        // a bug must cost one query, not the batch
        this.log.error({ err, stage: 'udp' }, 'udp: query handling failed');
        continue;
      }
      if (resp !== null) batch.reply(i, resp);
    }
  }

  private countersOf(net: NetworkRuntime): NetworkCounters {
    if (net !== this.countedNet) {
      this.countedCounters = this.stats.countersFor(net.id, net.name);
      this.countedNet = net;
    }
    return this.countedCounters!;
  }

  private answer<C>(msg: Buffer, len: number, client: string | NetworkRuntime, maxUdp: number, responder: Responder<C>, ctx: C): Buffer | null {
    this.sharedEntry = null;
    this.wentAsync = false;
    const q = this.q;
    const st = parseQuery(msg, len, q);
    if (st !== ParseStatus.Ok) {
      if (st === ParseStatus.Drop) return null;
      return errorResponse(msg, q, st === ParseStatus.NotImp ? RCODE_NOTIMP : st === ParseStatus.BadVers ? RCODE_BADVERS : RCODE_FORMERR);
    }
    const net = typeof client === 'string' ? this.policy.networkForAddress(client) : client;
    const now = Date.now();
    // RRL before any work: every UDP answer, a REFUSED one too, can be reflected at a victim
    if (maxUdp !== 0 && this.rateLimiter !== null && typeof client === 'string') {
      const verdict = this.rateLimiter.check(client, now);
      if (verdict !== RrlVerdict.Answer) {
        const t = net === null ? this.stats.unmatched.totals : this.countersOf(net).totals;
        t[Counter.Total]++;
        t[Counter.RateLimited]++;
        return verdict === RrlVerdict.Slip ? truncatedResponse(msg, q, RCODE_NOERROR) : null;
      }
    }
    if (net === null) {
      const u = this.stats.unmatched.totals;
      u[Counter.Total]++;
      u[Counter.Refused]++;
      this.outside.note(client as string);
      return errorResponse(msg, q, RCODE_REFUSED);
    }
    const c = this.countersOf(net).totals;
    c[Counter.Total]++;
    if (q.qclass !== CLASS_IN || q.qtype === 251 || q.qtype === 252) {
      // CHAOS probes and zone transfers are not a resolver's business
      c[Counter.Refused]++;
      return errorResponse(msg, q, q.qclass !== CLASS_IN ? RCODE_REFUSED : RCODE_NOTIMP);
    }
    const own = this.ownNames.answer(msg, q);
    if (own !== null) return own;
    const maxLen = maxUdp === 0 ? STREAM_MAX : q.hasOpt ? Math.min(q.udpSize, maxUdp) : 512;
    const e = this.cache.find(msg, 12, q.questionEnd, q.dnssecOk, q.checkingDisabled, now);
    const fresh = e !== null && now <= e.expiresAt;
    // The decision is memoised on the cache entry: the same network, list snapshot and
    // schedule minute as the last allowed answer means the same decision (CNAME targets
    // included), so a popular name costs one comparison instead of a policy walk.
    const epoch = this.policy.decisionEpoch(now);
    if (!fresh || e.allowedNet !== net || e.allowedEpoch !== epoch) {
      const d = this.decision;
      const action = this.policy.decide(net, msg, q.labelOffsets, q.labelCount, q.qtype, now, d);
      if (action === Action.Block) return this.blocked(msg, q, net, d.category, msg, q.labelOffsets, q.labelCount);
      if (q.qtype === TYPE_ANY) return anyResponse(msg, q);
      if (action === Action.Rewrite) return this.rewrite(msg, len, q, net, d.rewriteTarget!, maxLen, now, responder, ctx);
      if (fresh) {
        // an allow rule for the name itself wins over what its CNAME chain leads to
        if (e.cnameTargets !== null && !d.allowRule) {
          const cat = this.cnameBlocked(net, e, q.qtype, now);
          if (cat !== null) return this.blockedByCname(msg, q, net, cat);
        }
        e.allowedNet = net;
        e.allowedEpoch = epoch;
      }
    }
    if (fresh) {
      c[Counter.CacheHit]++;
      this.cache.stats.hits++;
      if (this.opts.prefetch && ++e.hits >= PREFETCH_MIN_HITS && !e.prefetching && e.expiresAt - now < e.lifetimeMs * PREFETCH_REMAINING) this.prefetch(e);
      if (maxUdp !== 0) this.sharedEntry = e;
      return answerFromEntry(e, msg, q, now, maxLen, maxUdp !== 0, 0);
    }
    this.cache.stats.misses++;
    const stale = e;
    // RFC 8767: an upstream that just failed for this name is not asked again for a while;
    // the stale answer goes out at once instead of after another full timeout
    if (stale !== null && now - stale.refreshFailedAt < STALE_RECHECK_MS) return this.replyStale(stale, msg, q, net, now, maxLen, !this.decision.allowRule);
    const cnameCheck = !this.decision.allowRule;
    // a flood of misses must cost SERVFAILs, not memory: each waiting query holds its packet
    if (this.waiting >= this.opts.maxWaiting) return this.overloaded(msg, q, net, stale, now, maxLen, cnameCheck);
    this.wait(msg, len, q, net, stale, maxLen, cnameCheck, responder, ctx);
    return null;
  }

  /**
   * A miss: the query waits for the upstreams (or a stale answer, RFC 8767) and is answered
   * through the responder. Its own method because the closures it makes would otherwise make
   * every call of `answer`, hits too, allocate a context for the variables they capture.
   */
  private wait<C>(msg: Buffer, len: number, q: ParsedQuery, net: NetworkRuntime, stale: CacheEntry | null, maxLen: number, cnameCheck: boolean, responder: Responder<C>, ctx: C): void {
    this.wentAsync = true;
    if (responder.keep !== undefined) {
      msg = copyOut(msg, len);
      ctx = responder.keep(ctx);
    }
    this.waiting++;
    let answered = false;
    // RFC 8767 client response timer: a slow upstream must not hold a stale-able answer
    const timer = stale === null ? null : setTimeout(() => {
      answered = true;
      parseQuery(msg, msg.length, this.later);
      responder.deliver(this.replyStale(stale, msg, this.later, net, Date.now(), maxLen, cnameCheck), ctx);
    }, this.opts.staleAnswerTimeoutMs);
    this.fetch(lowerQuestion(msg, 12, q.questionEnd), q.dnssecOk, q.checkingDisabled, performance.now() + this.opts.resolveTimeoutMs, (entry) => {
      this.waiting--;
      if (timer !== null) clearTimeout(timer);
      const t = Date.now();
      if (entry === null) {
        this.countersOf(net).totals[Counter.UpstreamError]++;
        if (stale !== null) stale.refreshFailedAt = t;
      }
      if (answered) return;
      const lq = this.later;
      parseQuery(msg, msg.length, lq);
      if (entry !== null) responder.deliver(this.reply(entry, msg, lq, net, t, maxLen, responder.copiesOnDeliver === true, 0, cnameCheck), ctx);
      else if (stale !== null && t <= stale.staleUntil) responder.deliver(this.replyStale(stale, msg, lq, net, t, maxLen, cnameCheck), ctx);
      else responder.deliver(errorResponse(msg, lq, RCODE_SERVFAIL), ctx);
    });
  }

  /** Too many queries already wait for upstreams: the stale answer if there is one, else SERVFAIL. */
  private overloaded(msg: Buffer, q: ParsedQuery, net: NetworkRuntime, stale: CacheEntry | null, now: number, maxLen: number, cnameCheck: boolean): Buffer {
    this.waitingRefused++;
    if (stale !== null) return this.replyStale(stale, msg, q, net, now, maxLen, cnameCheck);
    this.countersOf(net).totals[Counter.UpstreamError]++;
    return errorResponse(msg, q, RCODE_SERVFAIL);
  }

  /** The reply from a cache entry, unless `cnameCheck` and one of its CNAME targets is blocked
   *  (CNAME cloaking); `cnameCheck` is false when an allow rule let the query's name through. */
  private reply(e: CacheEntry, msg: Buffer, q: ParsedQuery, net: NetworkRuntime, now: number, maxLen: number, share: boolean, staleTtl: number, cnameCheck: boolean): Buffer {
    if (cnameCheck && e.cnameTargets !== null) {
      const cat = this.cnameBlocked(net, e, q.qtype, now);
      if (cat !== null) {
        this.sharedEntry = null;
        return this.blockedByCname(msg, q, net, cat);
      }
    }
    return answerFromEntry(e, msg, q, now, maxLen, share, staleTtl);
  }

  private replyStale(e: CacheEntry, msg: Buffer, q: ParsedQuery, net: NetworkRuntime, now: number, maxLen: number, cnameCheck: boolean): Buffer {
    this.cache.stats.staleServed++;
    return this.reply(e, msg, q, net, now, maxLen, false, this.opts.staleAnswerTtl, cnameCheck);
  }

  /** Category bit of the first blocked CNAME target, or null (CNAME cloaking); that target
   *  is left in `cnameHit`. */
  private cnameBlocked(net: NetworkRuntime, e: CacheEntry, qtype: number, now: number): number | null {
    const d = this.decision;
    for (const t of e.cnameTargets!) {
      if (this.policy.decide(net, t.buf, t.labelOffsets, t.labelCount, qtype, now, d) === Action.Block) {
        this.cnameHit = t;
        return d.category;
      }
    }
    return null;
  }

  /** A block found by `cnameBlocked`: the statistics get the listed target, never the query's name. */
  private blockedByCname(msg: Uint8Array, q: ParsedQuery, net: NetworkRuntime, category: number): Buffer {
    const t = this.cnameHit!;
    this.cnameHit = null;
    return this.blocked(msg, q, net, category, t.buf, t.labelOffsets, t.labelCount);
  }

  /** The block answer to `q`; `listed` (wire labels) is the name the blocking rule matched. */
  private blocked(msg: Uint8Array, q: ParsedQuery, net: NetworkRuntime, category: number, listed: Uint8Array, listedOffsets: Int32Array, listedCount: number): Buffer {
    countBlock(this.countersOf(net), category);
    this.stats.recordBlockedName(net.id, listed, listedOffsets, listedCount);
    const ede = q.hasOpt ? this.edeFor(category) : null;
    const b = net.block;
    // the signals that turn a device's own encrypted DNS off are read only from an NXDOMAIN
    if (isEncryptedDnsSignal(listed, listedOffsets, listedCount)) return blockedResponse(msg, q, true, NO_ADDRESSES, b.ttl, ede);
    switch (b.mode) {
      case 'refused': return errorResponse(msg, q, RCODE_REFUSED, ede);
      case 'null': return blockedResponse(msg, q, false, NULL_ADDRESSES, b.ttl, ede);
      case 'custom': return blockedResponse(msg, q, false, [...b.ipv4, ...b.ipv6], b.ttl, ede);
      default: return blockedResponse(msg, q, true, NO_ADDRESSES, b.ttl, ede);
    }
  }

  private edeFor(category: number): Ede {
    if (category < 0) return this.edeDeny;
    return (this.edeByCategory[category] ??= { code: EDE_FILTERED, text: `category: ${categories.name(category) ?? category}` });
  }

  /**
   * Safe search: a CNAME to the engine's enforced host, followed by that host's own records
   * for the asked type, resolved through the cache and upstream like any other name.
   */
  private rewrite<C>(msg: Buffer, len: number, q: ParsedQuery, net: NetworkRuntime, target: Uint8Array, maxLen: number, now: number, responder: Responder<C>, ctx: C): Buffer | null {
    this.countersOf(net).totals[Counter.Rewritten]++;
    const question = new Uint8Array(target.length + 4);
    question.set(target, 0);
    question.set(msg.subarray(q.qnameEnd, q.questionEnd), target.length);
    const build = (entry: CacheEntry | null, query: ParsedQuery, at: number, staleTtl: number): Buffer => {
      if (entry === null) return errorResponse(msg, query, RCODE_SERVFAIL);
      // the enforced host's records as a cache hit would serve them: aged, clamped, stale-capped
      const n = entry.info.answerCount;
      const ttls = new Uint32Array(n);
      for (let i = 0; i < n; i++) ttls[i] = servedTtl(entry, i, at, staleTtl);
      const copied = copyAnswerRecords(entry.resp, entry.info.answerStart, n, ttls);
      if (copied === null) return errorResponse(msg, query, RCODE_SERVFAIL);
      const ttl = Math.min(copied.count ? copied.minTtl : 300, 300);
      const resp = cnameResponse(msg, query, target, ttl, copied.records, copied.count, entry.info.rcode);
      return resp.length > maxLen ? truncatedResponse(msg, query, entry.info.rcode) : resp;
    };
    const e = this.cache.find(question, 0, question.length, false, false, now);
    if (e !== null && now <= e.expiresAt) return build(e, q, now, 0);
    if (this.waiting >= this.opts.maxWaiting) return this.overloaded(msg, q, net, null, now, maxLen, false);
    this.wentAsync = true;
    if (responder.keep !== undefined) {
      msg = copyOut(msg, len);
      ctx = responder.keep(ctx);
    }
    this.waiting++;
    this.fetch(question, false, false, performance.now() + this.opts.resolveTimeoutMs, (entry) => {
      this.waiting--;
      parseQuery(msg, msg.length, this.later);
      const t = Date.now();
      if (entry !== null) return responder.deliver(build(entry, this.later, t, 0), ctx);
      this.countersOf(net).totals[Counter.UpstreamError]++;
      const stale = e !== null && t <= e.staleUntil;
      responder.deliver(build(stale ? e : null, this.later, t, this.opts.staleAnswerTtl), ctx);
    });
    return null;
  }

  private prefetch(e: CacheEntry): void {
    if (this.waiting >= this.opts.maxWaiting) return;
    e.prefetching = true;
    this.cache.stats.prefetches++;
    this.fetch(e.question, e.dnssecOk, e.checkingDisabled, performance.now() + this.opts.resolveTimeoutMs, (fresh) => {
      if (fresh === null) e.prefetching = false;
    });
  }

  /**
   * Asks the upstreams for `question` unless the same question is already on its way, in
   * which case `waiter` joins it: a burst of identical queries costs one upstream request.
   */
  private fetch(question: Uint8Array, dnssecOk: boolean, cd: boolean, deadline: number, waiter: Waiter): void {
    const key = questionHash(question, 0, question.length, dnssecOk, cd);
    const existing = this.inflight.get(key);
    if (existing !== undefined && existing.dnssecOk === dnssecOk && existing.checkingDisabled === cd && Buffer.compare(existing.question, question) === 0) {
      existing.waiters.push(waiter);
      return;
    }
    const registered = existing === undefined;
    const f = new InflightFetch(this.fetches, key, question, dnssecOk, cd, registered, waiter);
    if (registered) this.inflight.set(key, f);
    this.upstream.resolve(upstreamQuery(question, dnssecOk, cd), deadline, f);
  }

  /** The last reply shared a cache entry's Buffer and its send was queued: unshare it. */
  detachShared(e: CacheEntry): void {
    this.cache.detach(e);
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  get waitingCount(): number {
    return this.waiting;
  }

  get maxWaiting(): number {
    return this.opts.maxWaiting;
  }
}
