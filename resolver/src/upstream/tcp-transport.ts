import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { answersQuestion } from './response-match.js';
import { RandomIds } from './random-ids.js';
import { reasonOf, TransportError, type Transport } from './transport.js';
import type { UpstreamSpec } from './upstream-url.js';

export interface StreamTransportOptions {
  /** an idle connection is closed after this long without traffic */
  idleMs?: number;
}

/** below the 65536 IDs, so a free one is always found quickly */
const MAX_IN_FLIGHT = 60_000;

interface Pending {
  query: Buffer;
  qEnd: number;
  /** the framed message as written, kept to re-send it on a new connection */
  frame: Buffer;
  sentAt: number;
  resent: boolean;
  conn: Connection;
  resolve: (resp: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Connection {
  socket: net.Socket;
  pending: Map<number, Pending>;
  /** bytes of a message not yet complete */
  rx: Buffer | null;
  /** performance.now() of the last bytes received; 0 before any */
  lastRx: number;
  error: string | null;
}

/**
 * DNS over one persistent TCP connection per upstream, pipelined (RFC 7766 6.2.1): queries go
 * out as they come, answers are matched by ID in whatever order they arrive. The connection
 * opens on demand, reopens after a close and closes itself when idle.
 */
export class TcpTransport implements Transport {
  private conn: Connection | null = null;
  private readonly ids = new RandomIds();
  private readonly idleMs: number;
  private closed = false;

  constructor(protected readonly spec: UpstreamSpec, options: StreamTransportOptions = {}) {
    this.idleMs = options.idleMs ?? 10_000;
  }

  /** Opens the byte stream; DoT overrides this with a TLS connection. */
  protected connect(): net.Socket {
    return net.connect({ host: this.spec.host, port: this.spec.port, noDelay: true });
  }

  exchange(query: Buffer, qEnd: number, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new TransportError('closed'));
    if (query.length > 0xffff) return Promise.reject(new TransportError('query too large'));
    const frame = Buffer.allocUnsafe(query.length + 2);
    frame.writeUInt16BE(query.length, 0);
    query.copy(frame, 2);
    return new Promise<Buffer>((resolve, reject) => {
      const p: Pending = { query, qEnd, frame, sentAt: 0, resent: false, conn: null as never, resolve, reject, timer: null as never };
      p.timer = setTimeout(() => this.onTimeout(p), timeoutMs);
      this.send(p);
    });
  }

  private send(p: Pending): void {
    const conn = this.conn ?? (this.conn = this.open());
    if (conn.pending.size >= MAX_IN_FLIGHT) {
      clearTimeout(p.timer);
      p.reject(new TransportError('too many queries in flight'));
      return;
    }
    const id = this.ids.takeFree(conn.pending);
    p.frame[2] = id >> 8;
    p.frame[3] = id & 0xff;
    p.conn = conn;
    p.sentAt = performance.now();
    conn.pending.set(id, p);
    conn.socket.write(p.frame);
  }

  private open(): Connection {
    const socket = this.connect();
    const conn: Connection = { socket, pending: new Map(), rx: null, lastRx: 0, error: null };
    socket.setTimeout(this.idleMs);
    socket.on('timeout', () => {
      if (conn.pending.size === 0) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (err) => {
      conn.error = reasonOf(err);
    });
    socket.on('close', () => this.onClose(conn));
    return conn;
  }

  private onData(conn: Connection, chunk: Buffer): void {
    conn.lastRx = performance.now();
    const buf = conn.rx === null ? chunk : Buffer.concat([conn.rx, chunk]);
    let off = 0;
    while (buf.length - off >= 2) {
      const len = (buf[off] << 8) | buf[off + 1];
      if (buf.length - off - 2 < len) break;
      // a copy: the answer may be cached for long, and must not pin the whole chunk
      this.onMessage(conn, Buffer.from(buf.subarray(off + 2, off + 2 + len)));
      off += 2 + len;
    }
    conn.rx = off < buf.length ? buf.subarray(off) : null;
  }

  private onMessage(conn: Connection, msg: Buffer): void {
    if (msg.length < 12) return;
    const id = (msg[0] << 8) | msg[1];
    const p = conn.pending.get(id);
    if (p === undefined) return; // an answer to a query that already timed out
    conn.pending.delete(id);
    clearTimeout(p.timer);
    // on a connection the only source is the upstream itself: a wrong question is its fault
    if (!answersQuestion(msg, p.query, p.qEnd)) {
      p.reject(new TransportError('answer does not match the question'));
      return;
    }
    msg[0] = p.query[0];
    msg[1] = p.query[1];
    p.resolve(msg);
  }

  private onTimeout(p: Pending): void {
    const conn = p.conn;
    for (const [id, q] of conn.pending) {
      if (q === p) {
        conn.pending.delete(id);
        break;
      }
    }
    p.reject(new TransportError('timeout', true));
    // nothing at all came back since this query went out: the connection is likely dead
    // (half-open), so later queries get a fresh one instead of the same silence
    if (conn.lastRx < p.sentAt && conn.error === null) {
      conn.error = 'connection stalled';
      conn.socket.destroy();
    }
  }

  private onClose(conn: Connection): void {
    if (this.conn === conn) this.conn = null;
    const reason = conn.error ?? 'connection closed';
    // a connection that had worked and then closed was most likely ended by the server's
    // idle timeout racing our query (RFC 7766 6.2.3): send such queries again, once
    const retry = !this.closed && conn.lastRx > 0 && conn.error === null;
    for (const p of conn.pending.values()) {
      if (retry && !p.resent) {
        p.resent = true;
        this.send(p);
      } else {
        clearTimeout(p.timer);
        p.reject(new TransportError(reason));
      }
    }
    conn.pending.clear();
  }

  close(): void {
    this.closed = true;
    const conn = this.conn;
    this.conn = null;
    if (conn === null) return;
    conn.error = 'closed';
    conn.socket.destroy();
    // the 'close' event comes later; settle now so callers are not left waiting for it
    this.onClose(conn);
  }
}
