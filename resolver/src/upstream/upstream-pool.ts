import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { RCODE_REFUSED, RCODE_SERVFAIL } from '../dns/wire.js';
import type { UdpBatchAddon } from '../server/udp-batch-addon.js';
import { HttpsTransport } from './https-transport.js';
import { questionEnd } from './response-match.js';
import { TcpTransport } from './tcp-transport.js';
import { TlsTransport } from './tls-transport.js';
import { tlsRoots } from './tls-roots.js';
import { type ExchangeSink, TransportError, type Transport } from './transport.js';
import { UdpTransport } from './udp-transport.js';
import { UpstreamError } from './upstream-error.js';
import { UpstreamHealth } from './upstream-health.js';
import type { UpstreamSpec } from './upstream-url.js';

export interface UpstreamPoolOptions {
  /** the longest one try against one upstream may take */
  tryTimeoutMs: number;
  /** extra PEM bundle trusted for DoT/DoH, besides Node's roots */
  tlsCaFile?: string;
  logger?: Logger;
  /** UDP upstreams go through the batched addon when it serves the listeners; null or absent: node:dgram */
  udpAddon?: UdpBatchAddon | null;
}

export interface UpstreamHealthReport {
  url: string;
  protocol: string;
  rttMs: number | null;
  failures: number;
  healthy: boolean;
  queries: number;
  errors: number;
  lastError?: string;
}

interface Upstream {
  /** position in the configuration: the order among equally fast upstreams */
  index: number;
  spec: UpstreamSpec;
  transport: Transport;
  /** UDP upstreams only: where a truncated answer is asked again, opened on first need */
  tcp: Transport | null;
  health: UpstreamHealth;
}

/** A try's outcome: the answer, or why there was none. */
type Outcome = Buffer | string;

/** Where a try's outcome goes. */
interface OutcomeSink {
  settle(o: Outcome): void;
}

/**
 * One try against one upstream, as state: the transport reports to it (it is the exchange's
 * sink), the pool decides (TCP retry, health), and the outcome goes to `sink`.
 */
class Attempt implements ExchangeSink {
  u: Upstream | null = null;
  query: Buffer = NO_QUERY;
  qEnd = 0;
  deadline = 0;
  start = 0;
  cutShort = false;
  overTcp = false;

  constructor(private readonly pool: UpstreamPool, private readonly sink: OutcomeSink) {}

  answered(resp: Buffer): void {
    this.pool.tryAnswered(this, resp);
  }

  failed(err: unknown): void {
    this.pool.tryFailed(this, err);
  }

  finish(o: Outcome): void {
    this.sink.settle(o);
  }
}

/** A probe's outcome, kept for the query that reaches that upstream in its order. */
class Probe implements OutcomeSink {
  private outcome: Outcome | null = null;
  private waiter: Resolution | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly u: Upstream) {}

  settle(o: Outcome): void {
    this.u.health.probing = false;
    this.outcome = o;
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    clearTimeout(this.timer!);
    w.settle(o);
  }

  /** Hands the outcome to `r` once there is one, or 'timeout' at `deadline`, whichever comes first. */
  handTo(r: Resolution, deadline: number): void {
    if (this.outcome !== null) return r.settle(this.outcome);
    this.waiter = r;
    this.timer = setTimeout(() => {
      if (this.waiter !== r) return;
      this.waiter = null;
      r.settle('timeout');
    }, Math.max(0, deadline - performance.now()));
  }
}

/** One query's walk along the upstreams in order, each tried until one answers or the deadline passes. */
class Resolution implements OutcomeSink {
  private order: Upstream[] = [];
  private i = 0;
  private last = 'no upstream tried';
  private probes: Map<Upstream, Probe> | null = null;
  private attempt: Attempt | null = null;
  /** true until `resolve` returns: an outcome known by then is handed over a tick later */
  private starting = true;
  private early: { resp: Buffer | null; error: string } | null = null;

  constructor(
    private readonly pool: UpstreamPool,
    readonly query: Buffer,
    readonly qEnd: number,
    private readonly deadline: number,
    private readonly sink: ExchangeSink,
  ) {}

  begin(order: Upstream[], now: number): void {
    this.order = order;
    for (const u of order) {
      if (!u.health.wantsProbe(now)) continue;
      // the probe gets a full try even when this query's deadline is nearer, so its verdict
      // on the upstream is fair; this query still waits for it only until its own deadline
      (this.probes ??= new Map()).set(u, this.pool.probe(u, this.query, this.qEnd, now));
    }
    this.next();
  }

  private next(): void {
    if (this.i === this.order.length) return this.end(null, `upstream: every upstream failed (last: ${this.last})`);
    if (performance.now() >= this.deadline) return this.end(null, `upstream: deadline passed (last: ${this.last})`);
    const u = this.order[this.i];
    const probe = this.probes?.get(u);
    if (probe !== undefined) probe.handTo(this, this.deadline);
    else this.pool.runTry((this.attempt ??= new Attempt(this.pool, this)), u, this.query, this.qEnd, this.deadline);
  }

  settle(o: Outcome): void {
    if (typeof o !== 'string') return this.end(o, '');
    this.last = `${this.order[this.i].spec.url}: ${o}`;
    this.i++;
    this.next();
  }

  end(resp: Buffer | null, error: string): void {
    if (this.starting) this.early = { resp, error };
    else if (resp !== null) this.sink.answered(resp);
    else this.sink.failed(new UpstreamError(error));
  }

  /** `resolve` has returned: an outcome it already had is handed over now, asynchronously as promised. */
  started(): void {
    this.starting = false;
    const e = this.early;
    if (e !== null) process.nextTick(() => this.end(e.resp, e.error));
  }
}

const NO_QUERY = Buffer.alloc(0);

/** Starts `query` on `t`, its outcome to `sink`; transports without a sink path are adapted from their Promise. */
function exchangeInto(t: Transport, query: Buffer, qEnd: number, timeoutMs: number, sink: ExchangeSink): void {
  try {
    if (t.start !== undefined) t.start(query, qEnd, timeoutMs, sink);
    else t.exchange(query, qEnd, timeoutMs).then((resp) => sink.answered(resp), (err: unknown) => sink.failed(err));
  } catch (err) {
    // a transport that throws instead of failing the exchange still fails only this try
    sink.failed(err);
  }
}

/**
 * Forwards queries to the configured upstreams: fastest healthy one first, the next one on a
 * timeout, network error, SERVFAIL or REFUSED, never past the caller's deadline. Upstreams that
 * keep failing (timeouts, network errors) are set aside for a growing while and probed in the
 * background with live queries, so a dead or slow one costs answers nothing once noticed;
 * one that answers SERVFAIL or REFUSED sinks in the order instead, since that verdict may
 * concern the name only.
 */
export class UpstreamPool {
  private upstreams: Upstream[];
  private tryTimeoutMs: number;
  /** replaced upstreams whose in-flight tries may still be answered, closed a little later */
  private readonly retiring = new Set<Upstream>();
  private readonly logger: Logger | undefined;
  private readonly udpAddon: UdpBatchAddon | null;
  private closed = false;
  /** the order the last query got; never changed in place, since queries walk it try after try */
  private lastOrder: Upstream[] = [];

  constructor(specs: UpstreamSpec[], options: UpstreamPoolOptions) {
    if (specs.length === 0) throw new Error('upstream: no upstream configured');
    this.tryTimeoutMs = options.tryTimeoutMs;
    this.logger = options.logger;
    this.udpAddon = options.udpAddon ?? null;
    this.upstreams = build(specs, options.tlsCaFile, this.udpAddon);
  }

  /**
   * Forwards to `specs` from now on (a configuration reload). Queries already on their way
   * finish on the old upstreams, which are closed once the longest try has passed.
   */
  replace(specs: UpstreamSpec[], options: Omit<UpstreamPoolOptions, 'logger' | 'udpAddon'>): void {
    if (specs.length === 0) throw new Error('upstream: no upstream configured');
    const next = build(specs, options.tlsCaFile, this.udpAddon);
    const old = this.upstreams;
    this.upstreams = next;
    this.lastOrder = [];
    this.tryTimeoutMs = options.tryTimeoutMs;
    for (const u of old) this.retiring.add(u);
    const timer = setTimeout(() => {
      for (const u of old) this.retire(u);
    }, this.tryTimeoutMs * 2);
    timer.unref();
  }

  private retire(u: Upstream): void {
    if (!this.retiring.delete(u)) return;
    u.transport.close();
    u.tcp?.close();
  }

  /**
   * Resolves with an upstream's answer to `query` (a complete DNS message), its bytes
   * untouched but for the ID, which is the query's. `deadline` is a performance.now() time.
   */
  query(query: Buffer, deadline: number): Promise<Buffer> {
    return new Promise((resolve, reject) => this.resolve(query, deadline, { answered: resolve, failed: reject }));
  }

  /**
   * `query` for the resolver's hot path: the answer, or an UpstreamError, goes to `sink`, never
   * before this returns. A query walks the upstreams as one object, so a cache miss costs no
   * Promise chain and no closures here.
   */
  resolve(query: Buffer, deadline: number, sink: ExchangeSink): void {
    const r = new Resolution(this, query, questionEnd(query), deadline, sink);
    if (this.closed) r.end(null, 'upstream: pool is closed');
    else if (r.qEnd < 0) r.end(null, 'upstream: query has no single question');
    else r.begin(this.order(), performance.now());
    r.started();
  }

  /**
   * Healthy upstreams fastest first (unmeasured ones first of all, to measure them), then the
   * down ones. The last order is handed out again while it is still right (always, with one
   * upstream), so a query allocates no arrays for it.
   */
  private order(): Upstream[] {
    const last = this.lastOrder;
    let valid = last.length !== 0;
    for (let i = 1; valid && i < last.length; i++) valid = precedes(last[i - 1], last[i]);
    if (valid) return last;
    const up: Upstream[] = [];
    const down: Upstream[] = [];
    for (const u of this.upstreams) (u.health.down ? down : up).push(u);
    up.sort((a, b) => (a.health.rttMs ?? 0) - (b.health.rttMs ?? 0));
    down.sort((a, b) => a.health.backoffUntil - b.health.backoffUntil);
    return (this.lastOrder = down.length === 0 ? up : up.concat(down));
  }

  /** Starts one try against one upstream (plus its TCP retry on truncation); it ends in `a.finish`. */
  runTry(a: Attempt, u: Upstream, query: Buffer, qEnd: number, deadline: number): void {
    a.u = u;
    a.query = query;
    a.qEnd = qEnd;
    a.deadline = deadline;
    a.overTcp = false;
    // the caller's deadline is not the upstream's fault: a try it cut short that times out
    // is not held against the upstream
    a.cutShort = false;
    const start = performance.now();
    a.start = start;
    if (start >= deadline) return a.finish('deadline passed');
    u.health.queries++;
    const budget = Math.min(this.tryTimeoutMs, deadline - start);
    a.cutShort = budget < this.tryTimeoutMs;
    exchangeInto(u.transport, query, qEnd, budget, a);
  }

  tryAnswered(a: Attempt, resp: Buffer): void {
    const u = a.u!;
    const h = u.health;
    if (!a.overTcp && (resp[2] & 0x02) !== 0 && u.spec.protocol === 'udp') {
      // truncated: the full answer only fits a stream
      const left = a.deadline - performance.now();
      if (left <= 0) return a.finish('deadline passed');
      u.tcp ??= new TcpTransport(u.spec);
      const budget = Math.min(this.tryTimeoutMs, left);
      a.cutShort = budget < this.tryTimeoutMs;
      a.overTcp = true;
      exchangeInto(u.tcp, a.query, a.qEnd, budget, a);
      return;
    }
    const rcode = resp[3] & 0x0f;
    if (rcode === RCODE_SERVFAIL || rcode === RCODE_REFUSED) {
      const reason = rcode === RCODE_SERVFAIL ? 'SERVFAIL' : 'REFUSED';
      h.answeredFailure(Math.max(performance.now() - a.start, this.tryTimeoutMs), reason);
      return a.finish(reason);
    }
    if (h.succeeded(performance.now() - a.start)) this.logger?.info({ upstream: u.spec.url }, 'upstream: back up');
    a.finish(resp);
  }

  tryFailed(a: Attempt, err: unknown): void {
    const timedOut = err instanceof TransportError && err.timedOut;
    if (timedOut && a.cutShort) return a.finish('deadline passed');
    const reason = err instanceof Error ? err.message : String(err);
    this.failed(a.u!, reason, timedOut ? performance.now() - a.start : null);
    a.finish(reason);
  }

  /** A background probe of a down upstream, with a full try of its own. */
  probe(u: Upstream, query: Buffer, qEnd: number, now: number): Probe {
    u.health.probing = true;
    const p = new Probe(u);
    this.runTry(new Attempt(this, p), u, query, qEnd, now + this.tryTimeoutMs);
    return p;
  }

  private failed(u: Upstream, reason: string, waitedMs: number | null): void {
    if (u.health.failed(reason, performance.now(), waitedMs)) {
      this.logger?.warn({ upstream: u.spec.url, reason }, 'upstream: marked down after repeated failures');
    }
  }

  /** Each upstream's answer latencies (see UpstreamHealth.latency), for the metrics endpoint. */
  latency(): { url: string; buckets: Float64Array; sumMs: number }[] {
    return this.upstreams.map(({ spec, health: h }) => ({ url: spec.url, buckets: h.latency, sumMs: h.latencySumMs }));
  }

  health(): UpstreamHealthReport[] {
    return this.upstreams.map(({ spec, health: h }) => ({
      url: spec.url,
      protocol: spec.protocol,
      rttMs: h.rttMs === null ? null : Math.round(h.rttMs * 10) / 10,
      failures: h.failures,
      healthy: !h.down,
      queries: h.queries,
      errors: h.errors,
      ...(h.lastError === undefined ? {} : { lastError: h.lastError }),
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const u of this.retiring) this.retire(u);
    for (const u of this.upstreams) {
      u.transport.close();
      u.tcp?.close();
    }
  }
}

function build(specs: UpstreamSpec[], tlsCaFile: string | undefined, udpAddon: UdpBatchAddon | null): Upstream[] {
  const needsTls = specs.some((s) => s.protocol === 'tls' || s.protocol === 'https');
  const ca = needsTls ? tlsRoots(tlsCaFile) : undefined;
  return specs.map((spec, index) => ({ index, spec, transport: createTransport(spec, ca, udpAddon), tcp: null, health: new UpstreamHealth() }));
}

/** Whether `a` comes before `b` in `order()`: what its two stable sorts give, as a comparison. */
function precedes(a: Upstream, b: Upstream): boolean {
  const down = a.health.down;
  if (down !== b.health.down) return !down;
  const ka = down ? a.health.backoffUntil : a.health.rttMs ?? 0;
  const kb = down ? b.health.backoffUntil : b.health.rttMs ?? 0;
  return ka < kb || (ka === kb && a.index < b.index);
}

function createTransport(spec: UpstreamSpec, ca: string[] | undefined, udpAddon: UdpBatchAddon | null): Transport {
  switch (spec.protocol) {
    case 'udp':
      return new UdpTransport(spec, { addon: udpAddon });
    case 'tcp':
      return new TcpTransport(spec);
    case 'tls':
      return new TlsTransport(spec, ca);
    case 'https':
      return new HttpsTransport(spec, ca);
  }
}
