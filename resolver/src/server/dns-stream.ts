import type net from 'node:net';
import type { HostPort } from '../config/host-port.js';
import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.js';
import type { NetworkRuntime } from '../policy/policy-types.js';
import { addressBytes } from '../policy/cidr.js';
import type { QueryHandler, Responder } from './query-handler.js';

// DNS over a byte stream (RFC 7766, and RFC 7858 once TLS is up): 2-byte length framing,
// pipelined queries answered as each completes (clients match by ID), an idle timeout and the
// limits that keep one hostile client from holding the server's memory or every slot:
//   - queries in flight per connection: parsing stops at the cap, even inside one chunk that
//     carries thousands of frames, and resumes as answers go out;
//   - the write buffer: a client that does not read stops being read;
//   - a frame deadline: a frame must be complete within `frameTimeoutMs` of its first byte,
//     and only complete frames and answers count as activity for the idle timeout, so a
//     client sending a byte at a time neither keeps its slot nor costs a copy per byte;
//   - connections per source prefix (/24, /56), and when the global cap is reached the
//     connection idle the longest is closed for the newcomer (as Unbound does), so the
//     retries that truncated UDP answers depend on keep getting in.
// Bytes are copied once into the frame they belong to: no growing concatenation.

export interface StreamLimits {
  idleTimeoutMs: number;
  frameTimeoutMs: number;
  maxConnections: number;
  maxPerPrefix: number;
}

export function streamLimits(config: Config): StreamLimits {
  return {
    idleTimeoutMs: config.dns.tcp_idle_timeout_ms,
    frameTimeoutMs: config.dns.tcp_frame_timeout_ms,
    maxConnections: config.dns.tcp_max_connections,
    maxPerPrefix: config.dns.tcp_max_connections_per_prefix,
  };
}

const MAX_INFLIGHT_PER_CONNECTION = 64;
/** answers queued for a slow reader before the connection stops being read (two full frames) */
const WRITE_BUFFER_MAX = 2 * (2 + 65535);
const MIN_MESSAGE = 12;

export interface StreamConn {
  socket: net.Socket;
  /** the source address, or the network a DoT server name already identified */
  client: string | NetworkRuntime;
  prefix: string;
  inflight: number;
  /** the first length byte, when only it has arrived; -1 otherwise */
  lenHigh: number;
  frame: Buffer | null;
  fill: number;
  /** when the incomplete frame began (0 = none) */
  frameStart: number;
  /** last complete frame or answer, or the connection's start */
  lastActive: number;
  /** since when the write buffer has been over its limit (0 = it is not) */
  writeBlockedSince: number;
  /** bytes received but not parsed yet, held while the connection is at its cap */
  pending: Buffer | null;
  pendingOff: number;
  readPaused: boolean;
  parsing: boolean;
  /** false while a TLS handshake is still going on */
  started: boolean;
  onDrain: () => void;
}

/** The /24 (IPv4) or /56 (IPv6) a source address belongs to, as a map key. */
function prefixOf(address: string): string {
  const b = addressBytes(address);
  if (b === null) return address;
  return b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}` : b.slice(0, 7).join(':');
}

export class DnsStreams implements Responder<StreamConn> {
  private readonly conns = new Set<StreamConn>();
  private readonly perPrefix = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly handler: QueryHandler,
    private readonly limits: StreamLimits,
    private readonly log: Logger,
    private readonly stage: string,
  ) {
    // one timer for every connection: no timer reset per chunk or per frame
    const every = Math.max(50, Math.min(1000, Math.floor(Math.min(limits.idleTimeoutMs, limits.frameTimeoutMs) / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  get size(): number {
    return this.conns.size;
  }

  /**
   * Takes a new connection's socket (the raw TCP socket, before any TLS handshake) or refuses
   * it by closing it: null then. At the global cap the longest-idle connection makes room.
   */
  admit(socket: net.Socket): StreamConn | null {
    const address = socket.remoteAddress ?? '';
    const prefix = prefixOf(address);
    const n = this.perPrefix.get(prefix) ?? 0;
    if (n >= this.limits.maxPerPrefix || (this.conns.size >= this.limits.maxConnections && !this.evictIdlest())) {
      socket.destroy();
      return null;
    }
    this.perPrefix.set(prefix, n + 1);
    const c: StreamConn = {
      socket, client: address, prefix, inflight: 0, lenHigh: -1, frame: null, fill: 0, frameStart: 0,
      lastActive: Date.now(), writeBlockedSince: 0, pending: null, pendingOff: 0, readPaused: false,
      parsing: false, started: false, onDrain: () => this.drained(c),
    };
    this.conns.add(c);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.forget(c));
    return c;
  }

  /** Starts reading queries from `socket` (the raw one for TCP, the TLS one once it is secure). */
  start(c: StreamConn, socket: net.Socket, client: string | NetworkRuntime): void {
    if (c.socket !== socket) {
      socket.on('error', () => socket.destroy());
      socket.once('close', () => c.socket.destroy());
    }
    c.socket = socket;
    c.client = client;
    c.started = true;
    c.lastActive = Date.now();
    socket.on('data', (chunk: Buffer) => this.consume(c, chunk, 0));
  }

  private forget(c: StreamConn): void {
    if (!this.conns.delete(c)) return;
    const n = (this.perPrefix.get(c.prefix) ?? 1) - 1;
    if (n <= 0) this.perPrefix.delete(c.prefix);
    else this.perPrefix.set(c.prefix, n);
    c.pending = null;
    c.frame = null;
  }

  /** Closes the connection with no query in flight that has been idle the longest. */
  private evictIdlest(): boolean {
    let victim: StreamConn | null = null;
    for (const c of this.conns) {
      if (c.inflight === 0 && (victim === null || c.lastActive < victim.lastActive)) victim = c;
    }
    if (victim === null) return false;
    victim.socket.destroy();
    this.forget(victim);
    return true;
  }

  private consume(c: StreamConn, chunk: Buffer, from: number): void {
    c.parsing = true;
    let off = from;
    const end = chunk.length;
    while (off < end) {
      if (c.inflight >= MAX_INFLIGHT_PER_CONNECTION || c.writeBlockedSince !== 0 || c.socket.destroyed) {
        // at the cap: keep the rest for when answers have gone out, and stop reading
        c.pending = chunk;
        c.pendingOff = off;
        this.pauseReading(c);
        break;
      }
      if (c.frame === null) {
        let len: number;
        if (c.lenHigh >= 0) {
          len = (c.lenHigh << 8) | chunk[off++];
          c.lenHigh = -1;
        } else if (end - off >= 2) {
          len = chunk.readUInt16BE(off);
          off += 2;
        } else {
          c.lenHigh = chunk[off++];
          break;
        }
        if (len < MIN_MESSAGE) {
          // too short to be a DNS header: the stream cannot be resynchronised
          c.socket.destroy();
          break;
        }
        if (end - off >= len) {
          const msg = Buffer.from(chunk.subarray(off, off + len));
          off += len;
          c.frameStart = 0;
          this.dispatch(c, msg);
          continue;
        }
        c.frame = Buffer.allocUnsafe(len);
        c.fill = 0;
      }
      const n = Math.min(c.frame.length - c.fill, end - off);
      chunk.copy(c.frame, c.fill, off, off + n);
      c.fill += n;
      off += n;
      if (c.fill === c.frame.length) {
        const msg = c.frame;
        c.frame = null;
        c.frameStart = 0;
        this.dispatch(c, msg);
      }
    }
    if ((c.frame !== null || c.lenHigh >= 0) && c.frameStart === 0) c.frameStart = Date.now();
    c.parsing = false;
  }

  private dispatch(c: StreamConn, msg: Buffer): void {
    c.inflight++;
    c.lastActive = Date.now();
    let resp: Buffer | null;
    try {
      resp = this.handler.handle(msg, c.client, 0, this, c);
    } catch (err) {
      this.log.error({ err, stage: this.stage }, `${this.stage}: query handling failed`);
      resp = null;
    }
    if (resp !== null) this.deliver(resp, c);
    else if (!this.handler.wentAsync) c.inflight--; // dropped: no answer will come
  }

  deliver(resp: Buffer, c: StreamConn): void {
    c.inflight--;
    const s = c.socket;
    if (s.destroyed || !s.writable) return;
    c.lastActive = Date.now();
    const out = Buffer.allocUnsafe(2 + resp.length);
    out.writeUInt16BE(resp.length, 0);
    resp.copy(out, 2);
    s.write(out);
    if (c.writeBlockedSince === 0 && s.writableLength > WRITE_BUFFER_MAX) {
      c.writeBlockedSince = c.lastActive;
      this.pauseReading(c);
      s.once('drain', c.onDrain);
      return;
    }
    if (!c.parsing && c.writeBlockedSince === 0 && c.inflight < MAX_INFLIGHT_PER_CONNECTION) this.resumeReading(c);
  }

  private drained(c: StreamConn): void {
    c.writeBlockedSince = 0;
    if (!c.parsing && c.inflight < MAX_INFLIGHT_PER_CONNECTION) this.resumeReading(c);
  }

  private pauseReading(c: StreamConn): void {
    if (c.readPaused) return;
    c.readPaused = true;
    c.socket.pause();
  }

  private resumeReading(c: StreamConn): void {
    if (c.pending !== null) {
      const p = c.pending;
      c.pending = null;
      this.consume(c, p, c.pendingOff);
      if (c.pending !== null) return; // at the cap again
    }
    if (c.readPaused && !c.socket.destroyed) {
      c.readPaused = false;
      c.socket.resume();
    }
  }

  /** Closes connections past their frame deadline, idle too long, or not reading their answers. */
  private sweep(): void {
    const now = Date.now();
    const { frameTimeoutMs, idleTimeoutMs } = this.limits;
    for (const c of this.conns) {
      const late =
        (c.frameStart !== 0 && now - c.frameStart > frameTimeoutMs) ||
        // a TLS handshake gets the frame deadline too
        (!c.started && now - c.lastActive > frameTimeoutMs) ||
        (c.writeBlockedSince !== 0 && now - c.writeBlockedSince > idleTimeoutMs) ||
        // idle means nothing pending either way (RFC 7766 6.2.3)
        (c.inflight === 0 && c.frameStart === 0 && c.pending === null && now - c.lastActive > idleTimeoutMs);
      if (late) {
        c.socket.destroy();
        this.forget(c);
      }
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const c of this.conns) c.socket.destroy();
  }
}

/** Binds a TCP or TLS server for DNS on `addr`; the error names the stage and address. */
export function listenStream(server: net.Server, addr: HostPort, stage: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`${stage}: cannot listen on ${addr.host}:${addr.port}: ${err.message}`));
    server.once('error', onError);
    server.listen({ host: addr.host, port: addr.port, ipv6Only: addr.family === 6, exclusive: false }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Stops accepting and closes every connection. */
export function closeStream(server: net.Server, streams: DnsStreams): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    streams.close();
  });
}
