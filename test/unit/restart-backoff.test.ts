import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../resolver/src/restart-backoff.js';

describe('worker restart backoff', () => {
  it('doubles from 1 s to 30 s while workers die young, and restarts at once after a long run', () => {
    const b = new RestartBackoff();
    expect([1, 2, 3, 4, 5, 6, 7].map(() => b.next(200))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(b.next(60_000)).toBe(0);
    // after a healthy run the next early death starts the doubling again
    expect(b.next(500)).toBe(1000);
  });
});
