import { randomFillSync } from 'node:crypto';

/**
 * Unpredictable 16-bit DNS IDs. An off-path spoofer must guess ID and source port together,
 * so the IDs come from the CSPRNG, drawn in batches to keep the per-query cost a load.
 */
export class RandomIds {
  private readonly pool = new Uint16Array(1024);
  private next = this.pool.length;

  take(): number {
    if (this.next === this.pool.length) {
      randomFillSync(this.pool);
      this.next = 0;
    }
    return this.pool[this.next++];
  }

  /** An ID not yet in `inUse`. */
  takeFree(inUse: { has(id: number): boolean }): number {
    let id = this.take();
    while (inUse.has(id)) id = this.take();
    return id;
  }
}
