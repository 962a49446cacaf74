import type { UdpBatchAddon } from '../server/udp-batch-addon.js';
import type { BatchedSlot } from './batched-slot.js';

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
    if (positions < 1 || positions > a.SEND_SLOTS) throw new RangeError(`udp: ${positions} upstream sockets; 1 to ${a.SEND_SLOTS} can share the send slots`);
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
    this.regionSlots = Math.floor(a.SEND_SLOTS / positions);
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
