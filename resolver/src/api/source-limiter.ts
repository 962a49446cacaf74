import { createHmac, randomBytes } from 'node:crypto';

// Per-source counters for the login and public report limits, in memory only: the key is an
// HMAC of the address under a key made at start and never stored, so not even this process's
// memory holds the address itself, and nothing of it reaches the disk. Fixed windows, and a
// cap on tracked sources so a flood of addresses costs bounded memory.

const SECRET = randomBytes(32);

export interface SourceLimiterOptions {
  /** events allowed per source and window */
  max: number;
  windowMs: number;
  /** sources tracked at once; the oldest windows are forgotten first */
  maxSources?: number;
  clock?: () => number;
}

export class SourceLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly clock: () => number;

  constructor(private readonly o: SourceLimiterOptions) {
    this.clock = o.clock ?? Date.now;
  }

  private key(source: string): string {
    return createHmac('sha256', SECRET).update(source).digest('base64url').slice(0, 22);
  }

  /** True when `source` has used up its window. */
  exhausted(source: string): boolean {
    const w = this.windows.get(this.key(source));
    return w !== undefined && w.resetAt > this.clock() && w.count >= this.o.max;
  }

  /** Counts one event; returns false (and counts nothing more) when the window is used up. */
  hit(source: string): boolean {
    const now = this.clock();
    const k = this.key(source);
    let w = this.windows.get(k);
    if (!w || w.resetAt <= now) {
      this.windows.delete(k);
      // insertion order is window age: the first entry is the oldest
      if (this.windows.size >= (this.o.maxSources ?? 10_000)) this.windows.delete(this.windows.keys().next().value!);
      w = { count: 0, resetAt: now + this.o.windowMs };
      this.windows.set(k, w);
    }
    if (w.count >= this.o.max) return false;
    w.count++;
    return true;
  }

  /** Seconds until `source` may try again. */
  retryAfterS(source: string): number {
    const w = this.windows.get(this.key(source));
    return w ? Math.max(1, Math.ceil((w.resetAt - this.clock()) / 1000)) : 0;
  }

  reset(source: string): void {
    this.windows.delete(this.key(source));
  }
}
