import net from 'node:net';
import type { Logger } from 'pino';
import type { HostPort } from '../config/host-port.js';
import type { QueryHandler, Responder } from './query-handler.js';

// DNS over TCP (RFC 7766): 2-byte length framing, several queries pipelined on one connection
// and answered as each completes (clients match by ID), an idle timeout, a cap on connections
// and on queries in flight per connection so one client cannot hold unbounded memory.

const MAX_INFLIGHT_PER_CONNECTION = 64;

interface Conn {
  socket: net.Socket;
  address: string;
  buf: Buffer;
  inflight: number;
  paused: boolean;
}

export interface TcpOptions {
  idleTimeoutMs: number;
  maxConnections: number;
}

export class TcpListener implements Responder<Conn> {
  private readonly server: net.Server;
  private readonly conns = new Set<Conn>();

  constructor(
    private readonly addr: HostPort,
    private readonly handler: QueryHandler,
    private readonly opts: TcpOptions,
    private readonly log: Logger,
  ) {
    this.server = net.createServer({ noDelay: true }, (s) => this.onConnection(s));
    this.server.maxConnections = opts.maxConnections;
    this.server.on('error', (err) => this.log.warn({ stage: 'tcp', code: (err as NodeJS.ErrnoException).code }, 'tcp: server error'));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`tcp: cannot listen on ${this.addr.host}:${this.addr.port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen({ host: this.addr.host, port: this.addr.port, ipv6Only: this.addr.family === 6, exclusive: false }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private onConnection(socket: net.Socket): void {
    const c: Conn = { socket, address: socket.remoteAddress ?? '', buf: Buffer.alloc(0), inflight: 0, paused: false };
    this.conns.add(c);
    socket.setTimeout(this.opts.idleTimeoutMs);
    socket.on('timeout', () => {
      // idle means nothing pending either way (RFC 7766 6.2.3)
      if (c.inflight === 0) socket.destroy();
    });
    socket.on('data', (chunk) => this.onData(c, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.conns.delete(c));
  }

  private onData(c: Conn, chunk: Buffer): void {
    c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
    while (c.buf.length >= 2 && !c.socket.destroyed) {
      const len = c.buf.readUInt16BE(0);
      if (len < 12) {
        // too short to be a DNS header: the stream cannot be resynchronised
        c.socket.destroy();
        return;
      }
      if (c.buf.length < 2 + len) break;
      const frame = Buffer.from(c.buf.subarray(2, 2 + len));
      c.buf = c.buf.subarray(2 + len);
      let resp: Buffer | null;
      c.inflight++;
      try {
        resp = this.handler.handle(frame, c.address, 0, this, c);
      } catch (err) {
        this.log.error({ err, stage: 'tcp' }, 'tcp: query handling failed');
        resp = null;
      }
      if (resp !== null) this.write(c, resp);
      else if (!this.handler.wentAsync) c.inflight--; // dropped: no answer will come
      if (c.inflight >= MAX_INFLIGHT_PER_CONNECTION && !c.paused) {
        c.paused = true;
        c.socket.pause();
      }
    }
  }

  private write(c: Conn, resp: Buffer): void {
    c.inflight--;
    if (c.paused && c.inflight < MAX_INFLIGHT_PER_CONNECTION / 2) {
      c.paused = false;
      c.socket.resume();
    }
    if (c.socket.destroyed || !c.socket.writable) return;
    const frame = Buffer.allocUnsafe(2 + resp.length);
    frame.writeUInt16BE(resp.length, 0);
    resp.copy(frame, 2);
    c.socket.write(frame);
  }

  deliver(resp: Buffer, c: Conn): void {
    this.write(c, resp);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const c of this.conns) c.socket.destroy();
    });
  }
}
