import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { answersQuestion } from './response-match.js';
import { RandomIds } from './random-ids.js';
import { type ExchangeSink, reasonOf, TransportError, type Transport } from './transport.js';
import type { UpstreamSpec } from './upstream-url.js';

export interface UdpTransportOptions {
  /** sockets open at once towards this upstream */
  sockets?: number;
  /** queries one socket carries before it is replaced by one on a fresh source port */
  queriesPerSocket?: number;
}

/** per socket; below the 65536 IDs, so a free one is always found quickly */
const MAX_IN_FLIGHT = 60_000;
/** queries are at most a header, a 255-byte name, type, class and an OPT; longer ones get a private copy */
const MAX_REUSED_WIRE = 512;
/** deadlines closer together than this are checked in one pass of the timer (a dead upstream under a flood) */
const SWEEP_GRAIN_MS = 5;
/** the timer fires on the event loop's millisecond clock: a deadline this close is due */
const DUE_SLACK_MS = 1;

interface Pending {
  query: Buffer;
  qEnd: number;
  sink: ExchangeSink;
  /** performance.now() after which the exchange has timed out */
  deadline: number;
}

// The address is always a literal, so skip dns.lookup and its nextTick on every send.
function literalLookup(address: string, _opts: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, address, isIPv6(address) ? 6 : 4);
}

/**
 * One UDP socket, connected to the upstream so the kernel drops datagrams from any other
 * source and reports ICMP unreachable as an error at once.
 */
class UdpSlot {
  readonly socket: dgram.Socket;
  readonly pending = new Map<number, Pending>();
  used = 0;
  retired = false;
  private socketClosed = false;
  /**
   * The wire copies of queries (their own ID), one per length, reused from send to send: the
   * kernel has the bytes once a send returns, unless it was queued, and then that copy is
   * left to the queue. A miss allocates no send buffer.
   */
  private readonly wires: (Buffer | undefined)[] = [];
  /** sends before the socket is connected may wait in dgram's own queue, which holds their buffers */
  private connected = false;
  private readonly afterSend = (err: Error | null) => {
    if (err) this.fail(reasonOf(err));
  };

  constructor(spec: UpstreamSpec, private readonly owner: UdpTransport) {
    this.socket = dgram.createSocket({ type: isIPv6(spec.host) ? 'udp6' : 'udp4', lookup: literalLookup as never });
    this.socket.on('message', (msg) => this.onMessage(msg));
    this.socket.on('error', (err) => this.fail(reasonOf(err)));
    this.socket.once('connect', () => {
      this.connected = true;
    });
    this.socket.connect(spec.port, spec.host);
  }

  private onMessage(msg: Buffer): void {
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

  /** Sends `query` under `id`, without changing `query` (other upstreams may be sent it too). */
  send(query: Buffer, id: number): void {
    const len = query.length;
    const wire = this.connected && len <= MAX_REUSED_WIRE ? (this.wires[len] ??= Buffer.allocUnsafeSlow(len)) : Buffer.allocUnsafe(len);
    query.copy(wire);
    wire[0] = id >> 8;
    wire[1] = id & 0xff;
    this.socket.send(wire, this.afterSend);
    if (this.socket.getSendQueueCount() !== 0) this.wires[len] = undefined;
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
    this.socket.close();
    this.owner.forget(this);
  }
}

/** DNS over UDP through a small pool of connected sockets on random source ports. */
export class UdpTransport implements Transport {
  private readonly slots: (UdpSlot | null)[];
  /** every open socket, including retired ones still waiting for answers */
  private readonly live = new Set<UdpSlot>();
  private readonly perSocket: number;
  private readonly ids = new RandomIds();
  private nextSlot = 0;
  private closed = false;
  /**
   * One timer for the deadlines of every pending query on every socket, armed for the
   * earliest: a query costs no timer of its own, and an answer cancels nothing.
   */
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepAt = Infinity;
  private readonly sweepBound = () => this.sweep();

  constructor(private readonly spec: UpstreamSpec, options: UdpTransportOptions = {}) {
    this.slots = new Array<UdpSlot | null>(options.sockets ?? 4).fill(null);
    this.perSocket = options.queriesPerSocket ?? 1000;
  }

  exchange(query: Buffer, qEnd: number, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => this.start(query, qEnd, timeoutMs, { answered: resolve, failed: reject }));
  }

  start(query: Buffer, qEnd: number, timeoutMs: number, sink: ExchangeSink): void {
    if (this.closed) return sink.failed(new TransportError('closed'));
    const slot = this.slot();
    if (slot.pending.size >= MAX_IN_FLIGHT) return sink.failed(new TransportError('too many queries in flight'));
    const id = this.ids.takeFree(slot.pending);
    const deadline = performance.now() + timeoutMs;
    slot.pending.set(id, { query, qEnd, sink, deadline });
    this.watch(deadline);
    try {
      slot.send(query, id);
    } catch (err) {
      // the send failed at once (the socket closed under it): so has this exchange
      slot.pending.delete(id);
      sink.failed(err);
      slot.closeIfDrained();
    }
  }

  /** Makes sure the timer fires by `deadline`. */
  private watch(deadline: number): void {
    if (deadline >= this.sweepAt) return;
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepAt = deadline;
    this.sweepTimer = setTimeout(this.sweepBound, Math.max(0, deadline - performance.now()));
  }

  /** Times out what is due on every socket, then waits for the next deadline. */
  private sweep(): void {
    this.sweepTimer = null;
    this.sweepAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const s of this.live) {
      const n = s.expire(now);
      if (n < next) next = n;
    }
    if (next !== Infinity && !this.closed) this.watch(Math.max(next, now + SWEEP_GRAIN_MS));
  }

  /** Round-robin over the pool, replacing sockets that reached their query budget. */
  private slot(): UdpSlot {
    const i = this.nextSlot;
    this.nextSlot = (i + 1) % this.slots.length;
    let s = this.slots[i];
    if (s === null) {
      s = this.slots[i] = new UdpSlot(this.spec, this);
      this.live.add(s);
    }
    if (++s.used >= this.perSocket) this.retire(s);
    return s;
  }

  /** Takes a socket out of rotation; it closes once its last pending query settles. */
  retire(slot: UdpSlot): void {
    slot.retired = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots[i] = null;
  }

  forget(slot: UdpSlot): void {
    this.live.delete(slot);
  }

  close(): void {
    this.closed = true;
    for (const s of [...this.live]) s.fail('closed');
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    this.sweepAt = Infinity;
  }
}
