import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

// Raw byte transport to a DNS server on loopback: no parsing, no retries, so tests see exactly
// what the server did with exactly what was sent (malformed packets, pipelining, framing).

export interface UdpOptions {
  host?: string;
  /** local address to send from, e.g. 127.0.0.2 to come from outside a 127.0.0.1/32 ACL */
  bindAddress?: string;
  timeoutMs?: number;
}

/** Sends one datagram and resolves with the first reply, or null after the timeout. */
export async function udpExchange(port: number, msg: Uint8Array, o: UdpOptions = {}): Promise<Buffer | null> {
  const client = await openUdp(port, o);
  try {
    const reply = client.next(o.timeoutMs ?? 1000);
    client.send(msg);
    return await reply;
  } finally {
    client.close();
  }
}

export interface UdpClient {
  /** the local port, for telling replies apart in logs */
  readonly localPort: number;
  send(msg: Uint8Array): void;
  /** resolves with the next reply, or null after `timeoutMs` */
  next(timeoutMs: number): Promise<Buffer | null>;
  /** replies received so far that no `next` consumed */
  readonly received: Buffer[];
  /** total replies ever received */
  readonly count: number;
  close(): void;
}

/** One UDP socket for many sends: fuzzing and bursts without a socket per packet. */
export async function openUdp(port: number, o: UdpOptions = {}): Promise<UdpClient> {
  const host = o.host ?? '127.0.0.1';
  const v6 = host.includes(':');
  const sock: UdpSocket = createSocket({ type: v6 ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: o.bindAddress ?? (v6 ? '::1' : '127.0.0.1'), port: 0 }, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  // a send error (e.g. ECONNREFUSED surfacing from an earlier datagram) must not crash the test process
  sock.on('error', () => {});
  const received: Buffer[] = [];
  let count = 0;
  let waiter: ((b: Buffer | null) => void) | null = null;
  sock.on('message', (b) => {
    count++;
    if (waiter) {
      const w = waiter;
      waiter = null;
      w(b);
    } else {
      received.push(b);
    }
  });
  return {
    localPort: sock.address().port,
    send: (msg) => sock.send(msg, port, host),
    next(timeoutMs) {
      const queued = received.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => {
        const t = setTimeout(() => { waiter = null; resolve(null); }, timeoutMs);
        waiter = (b) => { clearTimeout(t); resolve(b); };
      });
    },
    received,
    get count() { return count; },
    close: () => { try { sock.close(); } catch { /* already closed */ } },
  };
}

/** A message with its RFC 1035 4.2.2 two-byte length prefix. */
export function frame(msg: Uint8Array): Buffer {
  const b = Buffer.alloc(2 + msg.length);
  b.writeUInt16BE(msg.length, 0);
  Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength).copy(b, 2);
  return b;
}

export interface TcpOptions {
  host?: string;
  bindAddress?: string;
  timeoutMs?: number;
}

export interface TcpClient {
  readonly socket: Socket;
  /** writes raw bytes, framing is the caller's business */
  write(bytes: Uint8Array): void;
  /** resolves once `n` complete framed replies arrived in total, or after the timeout / close with what came */
  replies(n: number, timeoutMs?: number): Promise<Buffer[]>;
  /** true once the server closed its side */
  readonly closed: boolean;
  close(): void;
}

/** Opens a TCP connection that splits the byte stream into framed replies as they arrive. */
export async function openTcp(port: number, o: TcpOptions = {}): Promise<TcpClient> {
  const socket = connect({ host: o.host ?? '127.0.0.1', port, localAddress: o.bindAddress });
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const frames: Buffer[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | null = null;
  const poke = () => { const w = wake; wake = null; w?.(); };
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const len = pending.readUInt16BE(0);
      frames.push(Buffer.from(pending.subarray(2, 2 + len)));
      pending = pending.subarray(2 + len);
    }
    poke();
  });
  socket.on('error', () => {});
  socket.on('close', () => { closed = true; poke(); });
  return {
    socket,
    write: (bytes) => { if (!socket.destroyed) socket.write(bytes); },
    async replies(n, timeoutMs = o.timeoutMs ?? 2000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length < n && !closed && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, deadline - Date.now());
          wake = () => { clearTimeout(t); resolve(); };
        });
      }
      return frames.slice();
    },
    get closed() { return closed; },
    close: () => socket.destroy(),
  };
}

/**
 * Writes all messages framed in a single write (so they are pipelined on one connection) and
 * resolves with every framed reply received before `expect` replies arrived or the timeout.
 */
export async function tcpExchange(port: number, msgs: Uint8Array[], o: TcpOptions & { expect?: number } = {}): Promise<Buffer[]> {
  const c = await openTcp(port, o);
  try {
    c.write(Buffer.concat(msgs.map(frame)));
    return await c.replies(o.expect ?? msgs.length, o.timeoutMs ?? 2000);
  } finally {
    c.close();
  }
}
