import dgram from 'node:dgram';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { buildQuery as buildMessage } from './dns-message.js';

/** How the fake upstream treats each query. */
export type Behaviour =
  | 'answer'
  | 'silent'
  /** UDP: header-only answer with TC=1; TCP: the full answer */
  | 'truncate'
  | 'servfail'
  | 'refused'
  /** UDP: first an answer under another ID, then the real one */
  | 'wrong-id-first'
  /** UDP: first an answer to another question under the right ID, then the real one */
  | 'wrong-question-first'
  /** UDP and TCP: an answer of about 6000 bytes (many TXT records), never flagged TC */
  | 'oversized';

export interface FakeUpstreamOptions {
  behaviour?: Behaviour;
  delayMs?: number;
  /** the A record's address: tells which upstream answered */
  address?: string;
  /** listen on this port (to come back where a closed one was); default a free one */
  port?: number;
}

/** A small authoritative server on 127.0.0.1 (UDP and TCP, port 0), configurable per test. */
export class FakeUpstream {
  behaviour: Behaviour;
  delayMs: number;
  readonly address: string;
  private readonly wantedPort: number;
  udpPort = 0;
  tcpPort = 0;
  udpQueries = 0;
  tcpQueries = 0;
  tcpConnections = 0;
  /** the source ports UDP queries came from */
  readonly udpSourcePorts = new Set<number>();
  /** the latest answer built with the full record set, as it went on the wire */
  lastAnswer: Buffer | null = null;
  private udp: dgram.Socket | null = null;
  private readonly tcp: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(options: FakeUpstreamOptions = {}) {
    this.behaviour = options.behaviour ?? 'answer';
    this.delayMs = options.delayMs ?? 0;
    this.address = options.address ?? '192.0.2.1';
    this.wantedPort = options.port ?? 0;
    this.tcp = net.createServer((socket) => {
      this.tcpConnections++;
      this.serveStream(socket);
    });
  }

  /** Listens on one port number for both UDP and TCP, as a real DNS server does. */
  async start(): Promise<this> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const udp = dgram.createSocket('udp4');
      udp.on('message', (msg, rinfo) => this.onUdp(udp, msg, rinfo));
      await new Promise<void>((resolve) => udp.bind(this.wantedPort, '127.0.0.1', resolve));
      const port = udp.address().port;
      const ok = await new Promise<boolean>((resolve) => {
        this.tcp.once('error', () => resolve(false));
        this.tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
      this.tcp.removeAllListeners('error');
      if (ok) {
        this.udp = udp;
        this.udpPort = this.tcpPort = port;
        return this;
      }
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
    throw new Error('fake upstream: no port free for both UDP and TCP');
  }

  private onUdp(udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.udpQueries++;
    this.udpSourcePorts.add(rinfo.port);
    this.later(() => {
      for (const out of this.udpAnswers(msg)) udp.send(out, rinfo.port, rinfo.address);
    });
  }

  /** Ends every open stream connection from the server side. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** 2-byte length framing, answers as they are ready (so pipelined answers may overtake). */
  serveStream(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let rx = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      rx = Buffer.concat([rx, chunk]);
      while (rx.length >= 2 && rx.length >= 2 + rx.readUInt16BE(0)) {
        const msg = rx.subarray(2, 2 + rx.readUInt16BE(0));
        rx = rx.subarray(2 + msg.length);
        this.tcpQueries++;
        const out = this.streamAnswer(Buffer.from(msg));
        if (out === null) continue;
        this.later(() => {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          if (!socket.destroyed) socket.write(Buffer.concat([len, out]));
        });
      }
    });
  }

  /** The answer a stream (TCP, DoT, DoH) gives: null when silent. */
  streamAnswer(query: Buffer): Buffer | null {
    switch (this.behaviour) {
      case 'silent':
        return null;
      case 'servfail':
        return this.header(query, 2);
      case 'refused':
        return this.header(query, 5);
      case 'oversized':
        return this.oversizedAnswer(query);
      default:
        return this.fullAnswer(query);
    }
  }

  private udpAnswers(query: Buffer): Buffer[] {
    switch (this.behaviour) {
      case 'truncate': {
        const h = this.header(query, 0);
        h[2] |= 0x02;
        return [h];
      }
      case 'wrong-id-first': {
        const wrong = this.fullAnswer(query);
        wrong[1] ^= 0x5a;
        return [wrong, this.fullAnswer(query)];
      }
      case 'wrong-question-first': {
        const wrong = this.fullAnswer(query);
        const qEnd = questionEndOf(query);
        wrong[qEnd - 3] ^= 0x01; // another QTYPE
        return [wrong, this.fullAnswer(query)];
      }
      default: {
        const out = this.streamAnswer(query);
        return out === null ? [] : [out];
      }
    }
  }

  /** Header and question only, with the given RCODE. */
  private header(query: Buffer, rcode: number): Buffer {
    const qEnd = questionEndOf(query);
    const out = Buffer.from(query.subarray(0, qEnd));
    out[2] = 0x80 | (query[2] & 0x01); // QR, opcode 0, RD echoed
    out[3] = 0x80 | rcode; // RA
    out.writeUInt16BE(1, 4);
    out.writeUInt16BE(0, 6);
    out.writeUInt16BE(0, 8);
    out.writeUInt16BE(0, 10);
    return out;
  }

  /**
   * An A record plus a TXT record with bytes a re-encoder would mangle (binary, non-UTF-8),
   * so a relay that is not byte-for-byte shows.
   */
  private fullAnswer(query: Buffer): Buffer {
    const head = this.header(query, 0);
    head.writeUInt16BE(2, 6);
    const a = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...this.address.split('.').map(Number)]);
    const txt = Buffer.from([0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, 7, 6, 0x00, 0xff, 0x80, 0xc3, 0x28, 0x0a]);
    const out = Buffer.concat([head, a, txt]);
    this.lastAnswer = Buffer.from(out);
    return out;
  }

  /** 24 TXT records of 250 bytes each after the usual answer: larger than most UDP paths carry. */
  private oversizedAnswer(query: Buffer): Buffer {
    const base = this.fullAnswer(query);
    const txt = Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, 251, 250]), Buffer.alloc(250, 0x61)]);
    const out = Buffer.concat([base, ...new Array<Buffer>(24).fill(txt)]);
    out.writeUInt16BE(2 + 24, 6);
    this.lastAnswer = Buffer.from(out);
    return out;
  }

  private later(fn: () => void): void {
    if (this.delayMs > 0) setTimeout(fn, this.delayMs);
    else fn();
  }

  /** Closes both ports; calling it again is harmless. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const udp = this.udp;
    if (!udp) return;
    this.udp = null;
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}

function questionEndOf(query: Buffer): number {
  let off = 12;
  while (query[off] !== 0) off += query[off] + 1;
  return off + 5;
}

/** A DNS query message for `name`/`type` under `id`, RD set, without EDNS. */
export function buildQuery(name: string, type: number, id: number): Buffer {
  return buildMessage({ name, type, id });
}

/** DoT on 127.0.0.1 port 0, answering like `fake`'s TCP side. */
export async function startFakeDot(fake: FakeUpstream, key: string, cert: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = tls.createServer({ key, cert }, (socket) => {
    fake.tcpConnections++;
    fake.serveStream(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface FakeDoh {
  port: number;
  /** the DNS ID of every query received on the wire */
  wireIds: number[];
  /** TLS connections accepted */
  connections(): number;
  close(): Promise<void>;
}

/** DoH (RFC 8484 POST) on 127.0.0.1 port 0 at /dns-query, answering like `fake`'s stream side. */
export async function startFakeDoh(fake: FakeUpstream, key: string, cert: string): Promise<FakeDoh> {
  const wireIds: number[] = [];
  const server = https.createServer({ key, cert, keepAliveTimeout: 5000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'POST' || req.url !== '/dns-query' || req.headers['content-type'] !== 'application/dns-message') {
        res.writeHead(400).end();
        return;
      }
      wireIds.push(body.readUInt16BE(0));
      fake.tcpQueries++;
      const out = fake.streamAnswer(body);
      if (out === null) return; // silent: the client's timeout has to end it
      res.writeHead(200, { 'content-type': 'application/dns-message', 'content-length': out.length }).end(out);
    });
  });
  let connections = 0;
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    wireIds,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Closable {
  close(): Promise<void>;
}

/** Starts a fake upstream and records it in `open`, the test file's list of things to close. */
export async function startTrackedFake(open: Closable[], options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const f = await new FakeUpstream(options).start();
  open.push(f);
  return f;
}

/** Closes everything a test opened, newest first (run it after each test). */
export async function closeAll(open: Closable[]): Promise<void> {
  while (open.length) await open.pop()!.close();
}
