/**
 * How long the primary waits before starting a worker that exited again. A worker that ran a
 * while is replaced at once; one that keeps dying young (its socket cannot be bound, its lists
 * cannot be read) is retried after 1 s, 2 s, 4 s … up to 30 s, so a fault that no restart can
 * cure costs a log line now and then instead of a core spent forking.
 */
export class RestartBackoff {
  private delayMs = 0;

  constructor(
    private readonly youngMs = 10_000,
    private readonly firstMs = 1000,
    private readonly maxMs = 30_000,
  ) {}

  /** the wait before the next start, given how long the worker that exited had run */
  next(ranMs: number): number {
    this.delayMs = ranMs >= this.youngMs ? 0 : Math.min(this.maxMs, this.delayMs === 0 ? this.firstMs : this.delayMs * 2);
    return this.delayMs;
  }
}
