import type { Logger } from 'pino';
import type { HostPort } from '../config/host-port.js';
import { ClientAddressText } from './client-address-text.js';
import type { DatagramBatch, QueryHandler } from './query-handler.js';
import type { UdpBatchAddon, UdpBatchHandle } from './udp-batch-addon.js';
import type { UdpListenOptions } from './udp-listener.js';

// UDP through the batched addon: one recvmmsg fills up to RECV_SLOTS slots of memory shared
// with JS, the handler takes the whole batch in one call, and the batch's synchronous replies
// are copied into send slots and leave with one sendmmsg. Answers that come later (cache
// misses) are collected in the second half of the send slots and leave together once per
// event-loop turn. A client context is kept (a copy of its 48-byte peer record) only for
// those, in a record reused once the answer has gone: the hit and block paths allocate
// nothing per datagram here, and a miss nothing once the pool of records has grown.

/** A kept context: the peer record (client address and port, the local address it asked). */
type Peer = Uint8Array;

/** peer records kept for reuse at most: a burst of waiting queries larger than this leaves garbage, not a lasting pool */
const MAX_FREE_PEERS = 8192;

/** What the addon counted on one socket since it opened (`info` after port and buffer sizes). */
interface SocketCounters {
  batches: number;
  datagrams: number;
  sent: number;
  sendErrors: number;
  recvErrors: number;
  deferred: number;
  dropped: number;
  held: number;
}

function socketCounters(i: readonly number[]): SocketCounters {
  return { batches: i[3], datagrams: i[4], sent: i[5], sendErrors: i[6], recvErrors: i[7], deferred: i[8], dropped: i[9], held: i[10] };
}

export class BatchedUdpListener implements DatagramBatch<number | Peer> {
  count = 0;
  readonly maxUdp: number;
  /** deliver copies each answer into a send slot at once */
  readonly copiesOnDeliver = true;
  readonly messages: Buffer[] = [];
  readonly lengths: Int32Array;
  private readonly sendBytes: Uint8Array;
  private readonly peerBytes: Uint8Array;
  private readonly peerWords: Int32Array;
  private readonly meta: Int32Array;
  private readonly buffers: { recv: ArrayBuffer; send: ArrayBuffer; peers: ArrayBuffer; meta: ArrayBuffer };
  private readonly names = new ClientAddressText();
  /** peer records of answered queries, for the next ones to wait */
  private readonly freePeers: Peer[] = [];
  private readonly syncSlots: number;
  private readonly laterSlots: number;
  private h: UdpBatchHandle | null = null;
  private replies = 0;
  private later = 0;
  private flushQueued = false;
  /** queries kept for a later answer, not yet answered */
  private waiting = 0;
  private readonly flushLater = () => {
    this.flushQueued = false;
    this.sendLater();
  };
  private readonly onBatch = (count: number): number => {
    this.count = count;
    this.replies = 0;
    this.handler.handleBatch(this);
    return this.replies;
  };

  constructor(
    private readonly addon: UdpBatchAddon,
    private readonly addr: HostPort,
    private readonly handler: QueryHandler,
    private readonly opts: UdpListenOptions,
    private readonly log: Logger,
  ) {
    const a = addon;
    this.maxUdp = opts.maxUdp;
    this.buffers = {
      recv: new ArrayBuffer(a.RECV_SLOTS * a.SLOT_BYTES),
      send: new ArrayBuffer(a.SEND_SLOTS * a.SEND_BYTES),
      peers: new ArrayBuffer(a.PEER_SLOTS * a.PEER_BYTES),
      meta: new ArrayBuffer(a.META_INTS * 4),
    };
    for (let i = 0; i < a.RECV_SLOTS; i++) this.messages.push(Buffer.from(this.buffers.recv, i * a.SLOT_BYTES, a.SLOT_BYTES));
    this.meta = new Int32Array(this.buffers.meta);
    this.lengths = this.meta.subarray(0, a.RECV_SLOTS);
    this.sendBytes = new Uint8Array(this.buffers.send);
    this.peerBytes = new Uint8Array(this.buffers.peers);
    this.peerWords = new Int32Array(this.buffers.peers);
    // the first RECV_SLOTS send slots answer a batch (at most one reply per datagram)
    this.syncSlots = a.RECV_SLOTS;
    this.laterSlots = a.SEND_SLOTS - a.RECV_SLOTS;
  }

  listen(): Promise<void> {
    try {
      this.h = this.addon.open({
        host: this.addr.host,
        port: this.addr.port,
        family: this.addr.family,
        reusePort: this.opts.reusePort,
        recvBuffer: this.opts.bufferBytes,
        sendBuffer: this.opts.bufferBytes,
        ...this.buffers,
        onBatch: this.onBatch,
      });
    } catch (err) {
      return Promise.reject(new Error(`udp: cannot listen on ${this.addr.host}:${this.addr.port}: ${(err as Error).message}`));
    }
    return Promise.resolve();
  }

  get port(): number {
    return this.h === null ? 0 : this.addon.info(this.h)[0];
  }

  /** what the kernel granted (it caps the request at net.core.rmem_max / wmem_max) */
  get bufferSizes(): { recv: number; send: number } {
    const i = this.h === null ? [0, 0, 0] : this.addon.info(this.h);
    return { recv: i[1], send: i[2] };
  }

  client(i: number): string {
    const p = i * this.addon.PEER_BYTES;
    const b = this.peerBytes;
    const v6 = b[p] === 6;
    return this.names.text(b, this.peerWords, p + 12, v6, v6 ? this.peerWords[(p + 8) >> 2] >>> 0 : 0);
  }

  reply(i: number, resp: Buffer): void {
    const j = this.replies;
    // never larger in practice: UDP replies are capped at udp_payload_max (at most 4096)
    if (resp.length > this.addon.SEND_BYTES) return;
    this.sendBytes.set(resp, j * this.addon.SEND_BYTES);
    const m = this.addon.RECV_SLOTS + 2 * j;
    this.meta[m] = i;
    this.meta[m + 1] = resp.length;
    this.replies = j + 1;
  }

  keep(i: number | Peer): Peer {
    this.waiting++;
    const n = this.addon.PEER_BYTES;
    const p = (i as number) * n;
    const peer = this.freePeers.pop() ?? new Uint8Array(n);
    const b = this.peerBytes;
    for (let k = 0; k < n; k++) peer[k] = b[p + k];
    return peer;
  }

  deliver(resp: Buffer, peer: number | Peer): void {
    this.waiting--;
    if (this.h !== null && resp.length <= this.addon.SEND_BYTES) {
      const a = this.addon;
      const j = this.syncSlots + this.later;
      this.sendBytes.set(resp, j * a.SEND_BYTES);
      // async slot j takes peer record RECV_SLOTS + j
      this.peerBytes.set(peer as Peer, (a.RECV_SLOTS + j) * a.PEER_BYTES);
      const m = a.RECV_SLOTS + 2 * j;
      this.meta[m] = a.RECV_SLOTS + j;
      this.meta[m + 1] = resp.length;
      if (++this.later === this.laterSlots) this.sendLater();
      else if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(this.flushLater);
      }
    }
    // copied into the send slots above: the record is free again
    if (typeof peer !== 'number' && this.freePeers.length < MAX_FREE_PEERS) this.freePeers.push(peer);
  }

  private sendLater(): void {
    if (this.later === 0 || this.h === null) return;
    this.addon.send(this.h, this.syncSlots, this.later);
    this.later = 0;
  }

  /**
   * Shutdown, first step: no new datagram is read, while the answers to queries already
   * waiting for upstreams still leave through this socket.
   */
  stopReading(): void {
    if (this.h !== null) this.addon.pause(this.h, true);
  }

  /** Closes the socket; answers still waiting after this are dropped, and counted in the log. */
  close(): Promise<void> {
    const h = this.h;
    if (h === null) return Promise.resolve();
    this.sendLater();
    const counts = socketCounters(this.addon.info(h));
    this.addon.close(h);
    this.h = null;
    const dropped = this.waiting + counts.held;
    // aggregate counts only; with several workers these lines show how the kernel spread the
    // clients over the SO_REUSEPORT sockets (one line per worker, told apart by pid)
    this.log.info({ stage: 'udp', ...counts }, 'udp: socket closed');
    if (dropped > 0) this.log.warn({ stage: 'udp', dropped }, 'udp: answers still waiting at shutdown were dropped');
    return Promise.resolve();
  }
}
