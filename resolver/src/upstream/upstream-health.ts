/** consecutive failures after which an upstream is skipped (except as a last resort) */
const DOWN_AFTER = 3;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** weight of the newest RTT sample: recent enough to follow a change, smooth enough to ignore one spike */
const EWMA_ALPHA = 0.3;

/** upper bounds (ms) of the answer-latency histogram buckets (Prometheus `le`); the last is +Inf */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** What is known of one upstream's recent behaviour; drives try order and backoff. */
export class UpstreamHealth {
  rttMs: number | null = null;
  /** answers per latency bucket (non-cumulative; one more slot for +Inf), their count and sum */
  readonly latency = new Float64Array(LATENCY_BOUNDS_MS.length + 1);
  latencySumMs = 0;
  failures = 0;
  queries = 0;
  errors = 0;
  lastError: string | undefined;
  /** performance.now() until which a down upstream is only a last resort */
  backoffUntil = 0;
  /** a background probe is in flight: one at a time */
  probing = false;

  get down(): boolean {
    return this.failures >= DOWN_AFTER;
  }

  /** Down, its backoff over, and nobody checking on it yet. */
  wantsProbe(now: number): boolean {
    return this.down && !this.probing && now >= this.backoffUntil;
  }

  /** A usable answer. Returns true when this brought a down upstream back. */
  succeeded(rttMs: number): boolean {
    const wasDown = this.down;
    this.sample(rttMs);
    let b = 0;
    while (b < LATENCY_BOUNDS_MS.length && rttMs > LATENCY_BOUNDS_MS[b]) b++;
    this.latency[b]++;
    this.latencySumMs += rttMs;
    this.failures = 0;
    this.backoffUntil = 0;
    return wasDown;
  }

  /**
   * The upstream answered, but with SERVFAIL or REFUSED: often a property of the name (DNSSEC
   * failure, broken delegation, a policy on that name) rather than of the upstream, so it
   * does not count towards marking the whole upstream down. It does count as a sample of
   * `penaltyMs` (a full try): an upstream that fails fast must not stay first in the order
   * ahead of one that answers.
   */
  answeredFailure(penaltyMs: number, reason: string): void {
    this.sample(penaltyMs);
    this.errors++;
    this.lastError = reason;
  }

  /**
   * A timeout, a network error or an unusable answer. A timeout also counts as an RTT sample
   * of the time waited, so a slow upstream sinks in the order. Returns true when this marked
   * the upstream down.
   */
  failed(reason: string, now: number, waitedMs: number | null): boolean {
    if (waitedMs !== null) this.sample(waitedMs);
    this.errors++;
    this.lastError = reason;
    const wasDown = this.down;
    this.failures++;
    if (this.down) {
      const exp = Math.min(this.failures - DOWN_AFTER, 5);
      this.backoffUntil = now + Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** exp);
    }
    return !wasDown && this.down;
  }

  private sample(ms: number): void {
    this.rttMs = this.rttMs === null ? ms : this.rttMs + EWMA_ALPHA * (ms - this.rttMs);
  }
}
