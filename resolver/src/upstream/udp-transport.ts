import { performance } from 'node:perf_hooks';
import type { UdpBatchAddon } from '../server/udp-batch-addon.js';
import { BatchedSlot } from './batched-slot.js';
import { BatchedUpstreamIo } from './batched-upstream-io.js';
import { DgramSlot } from './dgram-slot.js';
import { RandomIds } from './random-ids.js';
import { type ExchangeSink, TransportError, type Transport } from './transport.js';
import type { SlotOwner, UdpSlot } from './udp-slot.js';
import type { UpstreamSpec } from './upstream-url.js';

export interface UdpTransportOptions {
  /** sockets open at once towards this upstream */
  sockets?: number;
  /** queries one socket carries before it is replaced by one on a fresh source port */
  queriesPerSocket?: number;
  /** the batched UDP addon, when it serves (the same path as the listener's); null: node:dgram */
  addon?: UdpBatchAddon | null;
}

/** per socket; below the 65536 IDs, so a free one is always found quickly */
const MAX_IN_FLIGHT = 60_000;
/** deadlines closer together than this are checked in one pass of the timer (a dead upstream under a flood) */
const SWEEP_GRAIN_MS = 5;

/**
 * DNS over UDP through a small pool of connected sockets on random source ports, each replaced
 * after a budget of queries, so an off-path spoofer must guess a fresh port as well as the ID.
 */
export class UdpTransport implements Transport, SlotOwner {
  private readonly slots: (UdpSlot | null)[];
  /** the batched sockets' shared memory; null when node:dgram carries the queries */
  private readonly io: BatchedUpstreamIo | null;
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
    this.io = options.addon ? new BatchedUpstreamIo(options.addon, this.slots.length) : null;
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
      s = this.slots[i] = this.io !== null ? new BatchedSlot(this.io, i, this.spec, this) : new DgramSlot(this.spec, this);
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
