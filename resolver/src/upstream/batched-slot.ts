import { isIPv6 } from 'node:net';
import type { UdpBatchAddon, UdpBatchHandle } from '../server/udp-batch-addon.js';
import { TransportError } from './transport.js';
import { type SlotOwner, UdpSlot } from './udp-slot.js';
import type { UpstreamSpec } from './upstream-url.js';

// The upstream side of the batched UDP addon: each socket is bound to a random port and
// connected to the upstream. The queries of one event-loop turn leave together with one
// sendmmsg per socket, and answers are read in batches with recvmmsg, one JS call per batch.
// Against node:dgram this saves, per miss, a send request object and its callback, and the
// 64 KiB receive buffer dgram allocates and shrinks for every datagram.

/**
 * Bytes per receive slot. An upstream answers within the EDNS size the client asked for, in
 * practice at most 4096 (the common max-udp-size); a larger one reads as truncated and is
 * asked again over TCP, as a TC answer would be.
 */
const ANSWER_SLOT_BYTES = 4096;

/**
 * Memory shared by the batched sockets of one transport, and their staged queries. Sharing is
 * safe: JS runs one batch callback at a time and takes what it needs before returning, and a
 * send copies the bytes into the kernel (or the addon's backlog) before it returns.
 * The send slots are cut into one region per pool position, so each socket's queries of a
 * turn are contiguous and go out in one call.
 */
export class BatchedUpstreamIo {
  readonly buffers: { recv: ArrayBuffer; send: ArrayBuffer; peers: ArrayBuffer; meta: ArrayBuffer };
  readonly recvBytes: Buffer;
  readonly lengths: Int32Array;
  readonly slotBytes = ANSWER_SLOT_BYTES;
  private readonly sendBytes: Uint8Array;
  private readonly meta: Int32Array;
  private readonly regionSlots: number;
  private readonly staged: Int32Array;
  private readonly owners: (BatchedSlot | null)[];
  private flushQueued = false;
  private readonly flushAll = () => {
    this.flushQueued = false;
    for (let r = 0; r < this.staged.length; r++) this.flushRegion(r);
  };

  constructor(readonly addon: UdpBatchAddon, positions: number) {
    const a = addon;
    this.buffers = {
      recv: new ArrayBuffer(a.RECV_SLOTS * ANSWER_SLOT_BYTES),
      send: new ArrayBuffer(a.SEND_SLOTS * a.SEND_BYTES),
      peers: new ArrayBuffer(a.PEER_SLOTS * a.PEER_BYTES),
      meta: new ArrayBuffer(a.META_INTS * 4),
    };
    this.recvBytes = Buffer.from(this.buffers.recv);
    this.meta = new Int32Array(this.buffers.meta);
    this.lengths = this.meta.subarray(0, a.RECV_SLOTS);
    this.sendBytes = new Uint8Array(this.buffers.send);
    this.regionSlots = Math.max(1, Math.floor(a.SEND_SLOTS / positions));
    this.staged = new Int32Array(positions);
    this.owners = new Array<BatchedSlot | null>(positions).fill(null);
  }

  /** Queues `query` under wire ID `id` for `slot`'s socket; it leaves at the end of this turn. */
  stage(slot: BatchedSlot, query: Buffer, id: number): void {
    const r = slot.position;
    if (this.owners[r] !== slot) {
      // the position's previous socket was retired: its queries go first, through it
      this.flushRegion(r);
      this.owners[r] = slot;
    }
    const j = r * this.regionSlots + this.staged[r];
    const off = j * this.addon.SEND_BYTES;
    this.sendBytes.set(query, off);
    this.sendBytes[off] = id >> 8;
    this.sendBytes[off + 1] = id & 0xff;
    const m = this.addon.RECV_SLOTS + 2 * j;
    // peer record 0: unused, a connected socket sends to its upstream
    this.meta[m] = 0;
    this.meta[m + 1] = query.length;
    if (++this.staged[r] === this.regionSlots) this.flushRegion(r);
    else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flushAll);
    }
  }

  private flushRegion(r: number): void {
    const n = this.staged[r];
    const slot = this.owners[r];
    if (n === 0 || slot === null) return;
    this.staged[r] = 0;
    slot.transmit(r * this.regionSlots, n);
  }
}

/** An upstream socket through the batched addon. */
export class BatchedSlot extends UdpSlot {
  private h: UdpBatchHandle | null = null;
  /** why the socket could not be opened: every query given to it fails with this */
  private readonly broken: string | null = null;
  private readonly onBatch = (count: number): number => {
    this.readBatch(count);
    return 0;
  };
  private readonly onError = (code: string) => this.fail(code);

  constructor(private readonly io: BatchedUpstreamIo, readonly position: number, spec: UpstreamSpec, owner: SlotOwner) {
    super(owner);
    const v6 = isIPv6(spec.host);
    try {
      this.h = io.addon.open({
        host: v6 ? '::' : '0.0.0.0',
        port: 0,
        family: v6 ? 6 : 4,
        reusePort: false,
        recvBuffer: 0,
        sendBuffer: 0,
        ...io.buffers,
        slotBytes: io.slotBytes,
        connectHost: spec.host,
        connectPort: spec.port,
        onBatch: this.onBatch,
        onError: this.onError,
      });
    } catch (err) {
      this.broken = (err as { code?: string }).code ?? (err as Error).message;
    }
  }

  /** the socket's source port (0 once closed) */
  get port(): number {
    return this.h === null ? 0 : this.io.addon.info(this.h)[0];
  }

  send(query: Buffer, id: number): void {
    if (this.broken !== null) {
      this.owner.retire(this);
      throw new TransportError(this.broken);
    }
    if (query.length > this.io.addon.SEND_BYTES) throw new TransportError('query too long for UDP');
    this.io.stage(this, query, id);
  }

  /** Sends staged queries in send slots [first, first + n). */
  transmit(first: number, n: number): void {
    // closed: its queries have already failed with the socket
    if (this.h === null) return;
    const err = this.io.addon.send(this.h, first, n);
    if (err !== undefined) this.fail(err);
  }

  private readBatch(count: number): void {
    const { recvBytes, lengths, slotBytes } = this.io;
    for (let i = 0; i < count && this.h !== null; i++) {
      const off = i * slotBytes;
      const len = lengths[i];
      if (len < 0) {
        this.answerTruncated(off);
        continue;
      }
      // a Buffer of its own, not a slice of a pool: the cache keeps it
      const msg = Buffer.allocUnsafeSlow(len);
      recvBytes.copy(msg, 0, off, off + len);
      this.answer(msg);
    }
  }

  /** An answer larger than a slot: its header and question, flagged TC, so it is asked again over TCP. */
  private answerTruncated(off: number): void {
    const { recvBytes } = this.io;
    const p = this.pending.get((recvBytes[off] << 8) | recvBytes[off + 1]);
    if (p === undefined) return;
    const msg = Buffer.allocUnsafeSlow(p.qEnd);
    recvBytes.copy(msg, 0, off, off + p.qEnd);
    msg[2] |= 0x02;
    msg.fill(0, 6, 12);
    this.answer(msg);
  }

  protected closeSocket(): void {
    if (this.h === null) return;
    this.io.addon.close(this.h);
    this.h = null;
  }
}
