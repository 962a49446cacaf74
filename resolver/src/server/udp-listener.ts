import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { HostPort } from '../config/host-port.js';
import type { QueryHandler, Responder } from './query-handler.js';

// One UDP socket per configured address. Tuned as measured in the bench's node-ceiling
// findings: a synchronous `lookup` (the default defers every send through dns.lookup and
// nextTick) and the 3-argument `send`, which does not slice a new Buffer per reply.

const syncLookup = (address: string, _family: unknown, cb: (err: null, address: string, family: number) => void) =>
  cb(null, address, address.includes(':') ? 6 : 4);

export class UdpListener implements Responder<dgram.RemoteInfo> {
  private readonly socket: dgram.Socket;
  private readonly onMessageBound = (msg: Buffer, rinfo: dgram.RemoteInfo) => this.onMessage(msg, rinfo);

  constructor(
    private readonly addr: HostPort,
    private readonly handler: QueryHandler,
    private readonly maxUdp: number,
    private readonly log: Logger,
  ) {
    this.socket = dgram.createSocket({
      type: addr.family === 6 ? 'udp6' : 'udp4',
      ipv6Only: addr.family === 6,
      // the cluster primary shares this socket with workers; each worker answers what it reads
      lookup: syncLookup as never,
      recvBufferSize: 4 * 1024 * 1024,
      sendBufferSize: 4 * 1024 * 1024,
    });
    this.socket.on('message', this.onMessageBound);
    // a send error (ICMP unreachable from a spoofed source, buffer full) concerns one reply only
    this.socket.on('error', (err) => this.log.warn({ stage: 'udp', code: (err as NodeJS.ErrnoException).code }, 'udp: socket error'));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`udp: cannot listen on ${this.addr.host}:${this.addr.port}: ${err.message}`));
      this.socket.once('error', onError);
      this.socket.bind({ address: this.addr.host, port: this.addr.port, exclusive: false }, () => {
        this.socket.off('error', onError);
        resolve();
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let resp: Buffer | null;
    try {
      resp = this.handler.handle(msg, rinfo.address, this.maxUdp, this, rinfo);
    } catch (err) {
      // a bug must cost one query, not the process
      this.log.error({ err, stage: 'udp' }, 'udp: query handling failed');
      return;
    }
    if (resp === null) return;
    this.socket.send(resp, rinfo.port, rinfo.address);
    // Sends normally complete synchronously. If this one was queued, libuv still points at
    // a cached Buffer that the next hit would patch: give the cache entry a private copy.
    const shared = this.handler.sharedEntry;
    if (shared !== null && this.socket.getSendQueueCount() !== 0) this.handler.detachShared(shared);
  }

  deliver(resp: Buffer, rinfo: dgram.RemoteInfo): void {
    this.socket.send(resp, rinfo.port, rinfo.address);
  }

  /**
   * Shutdown, first step: new datagrams are no longer read, while answers to the queries
   * already waiting for upstreams can still be sent on the open socket.
   */
  stopReading(): void {
    this.socket.off('message', this.onMessageBound);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
