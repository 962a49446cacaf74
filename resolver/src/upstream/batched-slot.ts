import { isIPv6 } from 'node:net';
import type { UdpBatchHandle } from '../server/udp-batch-addon.js';
import type { BatchedUpstreamIo } from './batched-upstream-io.js';
import { TransportError } from './transport.js';
import { type SlotOwner, UdpSlot } from './udp-slot.js';
import type { UpstreamSpec } from './upstream-url.js';

// The upstream side of the batched UDP addon: each socket is bound to a random port and
// connected to the upstream. The queries of one event-loop turn leave together with one
// sendmmsg per socket, and answers are read in batches with recvmmsg, one JS call per batch.
// Against node:dgram this saves, per miss, a send request object and its callback, and the
// 64 KiB receive buffer dgram allocates and shrinks for every datagram.

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
