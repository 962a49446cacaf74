import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { answersQuestion } from './response-match.js';
import { RandomIds } from './random-ids.js';
import { reasonOf, TransportError, type Transport } from './transport.js';
import type { UpstreamSpec } from './upstream-url.js';

export interface UdpTransportOptions {
  /** sockets open at once towards this upstream */
  sockets?: number;
  /** queries one socket carries before it is replaced by one on a fresh source port */
  queriesPerSocket?: number;
}

/** per socket; below the 65536 IDs, so a free one is always found quickly */
const MAX_IN_FLIGHT = 60_000;

interface Pending {
  query: Buffer;
  qEnd: number;
  resolve: (resp: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
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

  constructor(spec: UpstreamSpec, private readonly owner: UdpTransport) {
    this.socket = dgram.createSocket({ type: isIPv6(spec.host) ? 'udp6' : 'udp4', lookup: literalLookup as never });
    this.socket.on('message', (msg) => this.onMessage(msg));
    this.socket.on('error', (err) => this.fail(reasonOf(err)));
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
    clearTimeout(p.timer);
    msg[0] = p.query[0];
    msg[1] = p.query[1];
    p.resolve(msg);
    this.closeIfDrained();
  }

  /** The socket broke (ICMP unreachable, send error): every query on it has failed. */
  fail(reason: string): void {
    this.owner.retire(this);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new TransportError(reason));
    }
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

  constructor(private readonly spec: UpstreamSpec, options: UdpTransportOptions = {}) {
    this.slots = new Array<UdpSlot | null>(options.sockets ?? 4).fill(null);
    this.perSocket = options.queriesPerSocket ?? 1000;
  }

  exchange(query: Buffer, qEnd: number, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new TransportError('closed'));
    const slot = this.slot();
    if (slot.pending.size >= MAX_IN_FLIGHT) return Promise.reject(new TransportError('too many queries in flight'));
    const id = this.ids.takeFree(slot.pending);
    const wire = Buffer.allocUnsafe(query.length);
    query.copy(wire);
    wire[0] = id >> 8;
    wire[1] = id & 0xff;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        reject(new TransportError('timeout', true));
        slot.closeIfDrained();
      }, timeoutMs);
      slot.pending.set(id, { query, qEnd, resolve, reject, timer });
      slot.socket.send(wire, (err) => {
        if (err) slot.fail(reasonOf(err));
      });
    });
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
  }
}
