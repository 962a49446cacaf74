import type { Logger } from 'pino';

// Queries REFUSED because their source is in no network leave a trace an operator can act
// on: a line once a minute saying how many there were and from about how many clients, with
// the fix. No address is kept: each source only sets one bit of a small bitmap, and the
// number of distinct sources is estimated from how many bits are set (linear counting), so
// the hot path neither allocates nor remembers who asked.

const BITS = 4096;
const MINUTE_MS = 60_000;

export class OutsideClients {
  private readonly bitmap = new Uint32Array(BITS / 32);
  private queries = 0;

  /** Hot path: one refused query from `address`. */
  note(address: string): void {
    this.queries++;
    // FNV-1a over the characters: the text is hashed, never stored
    let h = 0x811c9dc5;
    for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
    // murmur3's finaliser: addresses differ in few characters, the bits must still spread
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    const bit = ((h ^ (h >>> 16)) >>> 0) % BITS;
    this.bitmap[bit >>> 5] |= 1 << (bit & 31);
  }

  /** The queries and estimated distinct clients since the last call; resets both. */
  take(): { queries: number; clients: number } {
    let set = 0;
    for (let i = 0; i < this.bitmap.length; i++) {
      let w = this.bitmap[i];
      while (w !== 0) { w &= w - 1; set++; }
    }
    const queries = this.queries;
    const zero = BITS - set;
    const clients = set === 0 ? 0 : zero === 0 ? BITS : Math.min(queries, Math.max(1, Math.round(-BITS * Math.log(zero / BITS))));
    this.bitmap.fill(0);
    this.queries = 0;
    return { queries, clients };
  }

  /** Logs the last minute's refusals, at info, once a minute while there were any. */
  logEveryMinute(log: Logger): () => void {
    const timer = setInterval(() => {
      const { queries, clients } = this.take();
      if (queries === 0) return;
      log.info(
        { refused: queries, clients },
        `resolver: refused ${queries} ${queries === 1 ? 'query' : 'queries'} from ${clients === 1 ? '1 client' : `about ${clients} clients`} outside every network in the last minute; ` +
          "to serve them, add their address range to a network's cidrs",
      );
    }, MINUTE_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}
