import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { reasonOf } from './transport.js';
import { type SlotOwner, UdpSlot } from './udp-slot.js';
import type { UpstreamSpec } from './upstream-url.js';

/** queries are at most a header, a 255-byte name, type, class and an OPT; longer ones get a private copy */
const MAX_REUSED_WIRE = 512;

// The address is always a literal, so skip dns.lookup and its nextTick on every send.
function literalLookup(address: string, _opts: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, address, isIPv6(address) ? 6 : 4);
}

/** An upstream socket through node:dgram: one send and one message event per query. */
export class DgramSlot extends UdpSlot {
  private readonly socket: dgram.Socket;
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

  constructor(spec: UpstreamSpec, owner: SlotOwner) {
    super(owner);
    this.socket = dgram.createSocket({ type: isIPv6(spec.host) ? 'udp6' : 'udp4', lookup: literalLookup as never });
    this.socket.on('message', (msg) => this.answer(msg));
    this.socket.on('error', (err) => this.fail(reasonOf(err)));
    this.socket.once('connect', () => {
      this.connected = true;
    });
    this.socket.connect(spec.port, spec.host);
  }

  send(query: Buffer, id: number): void {
    const len = query.length;
    const wire = this.connected && len <= MAX_REUSED_WIRE ? (this.wires[len] ??= Buffer.allocUnsafeSlow(len)) : Buffer.allocUnsafe(len);
    query.copy(wire);
    wire[0] = id >> 8;
    wire[1] = id & 0xff;
    this.socket.send(wire, this.afterSend);
    if (this.socket.getSendQueueCount() !== 0) this.wires[len] = undefined;
  }

  protected closeSocket(): void {
    this.socket.close();
  }
}
