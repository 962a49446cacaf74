/**
 * One way of reaching one upstream. A transport owns the wire ID: it sends `query` under an ID
 * of its own choosing and resolves with the upstream's bytes, validated against the question
 * and carrying the query's original ID again.
 */
export interface Transport {
  /**
   * `questionEnd` is the offset just past the query's question (see `questionEnd()`).
   * Rejects with a `TransportError` on timeout, network failure or an unusable answer.
   */
  exchange(query: Buffer, questionEnd: number, timeoutMs: number): Promise<Buffer>;
  /**
   * The same exchange with its outcome handed to `sink` (exactly once, `failed` with a
   * `TransportError` or another error): no Promise and no closures per query. Transports on
   * the hot path (UDP) have it; the pool adapts the others' `exchange`.
   */
  start?(query: Buffer, questionEnd: number, timeoutMs: number, sink: ExchangeSink): void;
  /** Drops connections and sockets; pending exchanges reject. No timer outlives it. */
  close(): void;
}

/** Where the outcome of an exchange goes: an object, not callbacks, so it allocates no closures. */
export interface ExchangeSink {
  answered(resp: Buffer): void;
  failed(err: unknown): void;
}

/** Why one try failed. `message` is shown in health reports, so it never names the query. */
export class TransportError extends Error {
  constructor(message: string, readonly timedOut = false) {
    super(message);
    this.name = 'TransportError';
  }
}

/** A node error as a short reason: its code when it has one (ECONNREFUSED), else its text. */
export function reasonOf(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}
