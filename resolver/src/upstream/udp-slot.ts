import { answersQuestion } from './response-match.js';
import { type ExchangeSink, TransportError } from './transport.js';

/** the timer fires on the event loop's millisecond clock: a deadline this close is due */
const DUE_SLACK_MS = 1;

interface Pending {
  query: Buffer;
  qEnd: number;
  sink: ExchangeSink;
  /** performance.now() after which the exchange has timed out */
  deadline: number;
}

/** What a socket tells the transport that owns it. */
export interface SlotOwner {
  /** takes the socket out of rotation: no new query goes to it */
  retire(slot: UdpSlot): void;
  /** the socket is closed: it holds nothing any more */
  forget(slot: UdpSlot): void;
}

/**
 * One UDP socket towards one upstream, connected so the kernel drops datagrams from any other
 * source and reports ICMP unreachable as an error at once. It carries a bounded number of
 * queries, matched to answers by wire ID and question; how the bytes travel (node:dgram, or
 * the batched addon) is the subclass's part.
 */
export abstract class UdpSlot {
  readonly pending = new Map<number, Pending>();
  used = 0;
  retired = false;
  private socketClosed = false;

  constructor(protected readonly owner: SlotOwner) {}

  /** Sends `query` under `id`, without changing `query` (other upstreams may be sent it too). */
  abstract send(query: Buffer, id: number): void;

  protected abstract closeSocket(): void;

  /** An answer read off the socket; `msg` is the receiver's own (it goes to the sink). */
  protected answer(msg: Buffer): void {
    if (msg.length < 12) return;
    const id = (msg[0] << 8) | msg[1];
    const p = this.pending.get(id);
    // a wrong ID or question is dropped, not failed: it may be a spoofing attempt racing the
    // real answer, which must still be accepted when it arrives
    if (p === undefined || !answersQuestion(msg, p.query, p.qEnd)) return;
    this.pending.delete(id);
    msg[0] = p.query[0];
    msg[1] = p.query[1];
    p.sink.answered(msg);
    this.closeIfDrained();
  }

  /** Times out the queries whose deadline is `now` or before; returns the next deadline (Infinity: none). */
  expire(now: number): number {
    let next = Infinity;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now + DUE_SLACK_MS) {
        this.pending.delete(id);
        p.sink.failed(new TransportError('timeout', true));
      } else if (p.deadline < next) next = p.deadline;
    }
    this.closeIfDrained();
    return next;
  }

  /** The socket broke (ICMP unreachable, send error): every query on it has failed. */
  fail(reason: string): void {
    this.owner.retire(this);
    for (const p of this.pending.values()) p.sink.failed(new TransportError(reason));
    this.pending.clear();
    this.closeIfDrained();
  }

  closeIfDrained(): void {
    if (!this.retired || this.pending.size !== 0 || this.socketClosed) return;
    this.socketClosed = true;
    this.closeSocket();
    this.owner.forget(this);
  }
}
