import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { RCODE_REFUSED, RCODE_SERVFAIL } from '../dns/wire.js';
import { HttpsTransport } from './https-transport.js';
import { questionEnd } from './response-match.js';
import { TcpTransport } from './tcp-transport.js';
import { TlsTransport } from './tls-transport.js';
import { tlsRoots } from './tls-roots.js';
import { TransportError, type Transport } from './transport.js';
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
  private closed = false;
  /** the order the last query got; never changed in place, since queries walk it across awaits */
  private lastOrder: Upstream[] = [];

  constructor(specs: UpstreamSpec[], options: UpstreamPoolOptions) {
    if (specs.length === 0) throw new Error('upstream: no upstream configured');
    this.tryTimeoutMs = options.tryTimeoutMs;
    this.logger = options.logger;
    this.upstreams = build(specs, options.tlsCaFile);
  }

  /**
   * Forwards to `specs` from now on (a configuration reload). Queries already on their way
   * finish on the old upstreams, which are closed once the longest try has passed.
   */
  replace(specs: UpstreamSpec[], options: Omit<UpstreamPoolOptions, 'logger'>): void {
    if (specs.length === 0) throw new Error('upstream: no upstream configured');
    const next = build(specs, options.tlsCaFile);
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
  async query(query: Buffer, deadline: number): Promise<Buffer> {
    if (this.closed) throw new UpstreamError('upstream: pool is closed');
    const qEnd = questionEnd(query);
    if (qEnd < 0) throw new UpstreamError('upstream: query has no single question');
    const now = performance.now();
    const order = this.order();
    let probes: Map<Upstream, Promise<Outcome>> | null = null;
    for (const u of order) {
      if (!u.health.wantsProbe(now)) continue;
      // the probe gets a full try even when this query's deadline is nearer, so its verdict
      // on the upstream is fair; this query still waits for it only until its own deadline
      u.health.probing = true;
      const probe = this.attempt(u, query, qEnd, now + this.tryTimeoutMs).finally(() => {
        u.health.probing = false;
      });
      (probes ??= new Map()).set(u, probe);
    }
    let last = 'no upstream tried';
    for (const u of order) {
      if (performance.now() >= deadline) throw new UpstreamError(`upstream: deadline passed (last: ${last})`);
      const probe = probes?.get(u);
      const outcome = probe ? await untilDeadline(probe, deadline) : await this.attempt(u, query, qEnd, deadline);
      if (typeof outcome !== 'string') return outcome;
      last = `${u.spec.url}: ${outcome}`;
    }
    throw new UpstreamError(`upstream: every upstream failed (last: ${last})`);
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

  /** One try against one upstream (plus its TCP retry on truncation). Never rejects. */
  private async attempt(u: Upstream, query: Buffer, qEnd: number, deadline: number): Promise<Outcome> {
    const h = u.health;
    const start = performance.now();
    if (start >= deadline) return 'deadline passed';
    h.queries++;
    // the caller's deadline is not the upstream's fault: a try it cut short that times out
    // is not held against the upstream
    let cutShort = false;
    try {
      let budget = Math.min(this.tryTimeoutMs, deadline - start);
      cutShort = budget < this.tryTimeoutMs;
      let resp = await u.transport.exchange(query, qEnd, budget);
      if ((resp[2] & 0x02) !== 0 && u.spec.protocol === 'udp') {
        // truncated: the full answer only fits a stream
        const left = deadline - performance.now();
        if (left <= 0) return 'deadline passed';
        u.tcp ??= new TcpTransport(u.spec);
        budget = Math.min(this.tryTimeoutMs, left);
        cutShort = budget < this.tryTimeoutMs;
        resp = await u.tcp.exchange(query, qEnd, budget);
      }
      const rcode = resp[3] & 0x0f;
      if (rcode === RCODE_SERVFAIL || rcode === RCODE_REFUSED) {
        const reason = rcode === RCODE_SERVFAIL ? 'SERVFAIL' : 'REFUSED';
        h.answeredFailure(Math.max(performance.now() - start, this.tryTimeoutMs), reason);
        return reason;
      }
      if (h.succeeded(performance.now() - start)) this.logger?.info({ upstream: u.spec.url }, 'upstream: back up');
      return resp;
    } catch (err) {
      const timedOut = err instanceof TransportError && err.timedOut;
      if (timedOut && cutShort) return 'deadline passed';
      const reason = err instanceof Error ? err.message : String(err);
      this.failed(u, reason, timedOut ? performance.now() - start : null);
      return reason;
    }
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

function build(specs: UpstreamSpec[], tlsCaFile: string | undefined): Upstream[] {
  const needsTls = specs.some((s) => s.protocol === 'tls' || s.protocol === 'https');
  const ca = needsTls ? tlsRoots(tlsCaFile) : undefined;
  return specs.map((spec, index) => ({ index, spec, transport: createTransport(spec, ca), tcp: null, health: new UpstreamHealth() }));
}

/** Whether `a` comes before `b` in `order()`: what its two stable sorts give, as a comparison. */
function precedes(a: Upstream, b: Upstream): boolean {
  const down = a.health.down;
  if (down !== b.health.down) return !down;
  const ka = down ? a.health.backoffUntil : a.health.rttMs ?? 0;
  const kb = down ? b.health.backoffUntil : b.health.rttMs ?? 0;
  return ka < kb || (ka === kb && a.index < b.index);
}

function createTransport(spec: UpstreamSpec, ca: string[] | undefined): Transport {
  switch (spec.protocol) {
    case 'udp':
      return new UdpTransport(spec);
    case 'tcp':
      return new TcpTransport(spec);
    case 'tls':
      return new TlsTransport(spec, ca);
    case 'https':
      return new HttpsTransport(spec, ca);
  }
}

/** A probe's outcome, or a timeout at `deadline`, whichever comes first. */
function untilDeadline(p: Promise<Outcome>, deadline: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - performance.now()));
    void p.then((o) => {
      clearTimeout(timer);
      resolve(o);
    });
  });
}
