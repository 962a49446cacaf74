import type http from 'node:http';
import type http2 from 'node:http2';
import { decodeDnsParam, DNS_MESSAGE, DOH_BODY_LIMIT, DOH_TOO_LARGE, DOH_UNKNOWN_TOKEN, DOH_WRONG_TYPE, type DohExchange, type DohReply } from './doh-exchange.js';

// DoH requests answered on the listener itself, before fastify: a phone on DoH asks every
// name this way, and fastify's per-request work (routing, hooks, security headers, reply
// serialisation) cost several times the DNS answer itself. Over HTTP/2 the stream is answered
// with Node's core API, before the compatibility layer builds request and response objects
// for it. Only GET and POST of exactly /dns-query and /dns-query/{token} (token characters
// only) take this path; everything else, and anything unusual about those (a HEAD, a
// percent-encoded path), goes on as before, to fastify, whose DoH routes use the same exchange.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type StreamListener = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

const TOKEN = /^[A-Za-z0-9_-]+$/;
const PREFIX = '/dns-query';
const JSON_TYPE = 'application/json; charset=utf-8';

/** One DoH request as either HTTP version carries it. */
interface DohIo {
  header(name: string): string | undefined;
  /** the connection's peer address */
  peer(): string | undefined;
  /** the body, or null when it is over DOH_BODY_LIMIT */
  body(done: (body: Buffer | null) => void): void;
  /** discards a body not read */
  drain(): void;
  send(r: DohReply): void;
}

export interface DohFastPathOptions {
  doh: DohExchange;
  /** the trusted proxies (null: none): only theirs X-Forwarded-For / Forwarded are believed */
  trusted: ((address: string | undefined) => boolean) | null;
  /** the `for` addresses of a Forwarded header (http-server-options.ts) */
  forwardedFor: (header: string) => string[];
  /** a failure inside the resolver; the client gets 500 with no detail */
  onError: (err: unknown) => void;
}

/**
 * The token of a DoH request ('' for plain /dns-query), or null when it is no GET or POST of
 * a DoH path: then the request is not this path's.
 */
function dohToken(method: string, url: string): string | null {
  if (method !== 'GET' && method !== 'POST') return null;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === PREFIX) return '';
  if (!path.startsWith(PREFIX) || path[PREFIX.length] !== '/') return null;
  const token = path.slice(PREFIX.length + 1);
  return TOKEN.test(token) ? token : null;
}

function bodyOf(r: DohReply): { type: string; length: number } {
  return r.cacheControl !== undefined ? { type: DNS_MESSAGE, length: r.body.length } : { type: JSON_TYPE, length: Buffer.byteLength(r.body) };
}

/** Reads a request body of at most DOH_BODY_LIMIT bytes from a stream of chunks. */
function readLimited(src: NodeJS.ReadableStream, declared: string | undefined, done: (body: Buffer | null) => void): void {
  if (Number(declared) > DOH_BODY_LIMIT) { src.resume(); done(null); return; }
  const parts: Buffer[] = [];
  let size = 0;
  let over = false;
  src.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > DOH_BODY_LIMIT) { over = true; done(null); return; }
    parts.push(chunk);
  });
  src.on('end', () => { if (!over) done(parts.length === 1 ? parts[0] : Buffer.concat(parts)); });
  src.on('error', () => undefined);
}

export class DohFastPath {
  constructor(private readonly o: DohFastPathOptions) {}

  /** The client address as fastify's `trustProxy` gives it: the peer, or from a trusted peer its forwarded-for chain read from the right. */
  private clientAddress(io: DohIo): string | undefined {
    let addr = io.peer();
    const trusted = this.o.trusted;
    if (trusted === null || !trusted(addr)) return addr;
    const xff = io.header('x-forwarded-for');
    const fwd = xff === undefined ? io.header('forwarded') : undefined;
    const hops = xff !== undefined ? xff.split(',').map((h) => h.trim()) : fwd !== undefined ? this.o.forwardedFor(fwd) : [];
    for (let i = hops.length - 1; i >= 0; i--) {
      addr = hops[i];
      if (!trusted(addr)) return addr;
    }
    return addr;
  }

  private serve(io: DohIo, method: string, url: string, token: string): void {
    const fail = (err: unknown) => {
      this.o.onError(err);
      io.send({ status: 500, body: JSON.stringify({ error: 'internal error' }) });
    };
    const settle = (r: DohReply | Promise<DohReply>) => {
      if (r instanceof Promise) r.then((v) => io.send(v), fail);
      else io.send(r);
    };
    try {
      if (method === 'POST' && io.header('content-type') !== DNS_MESSAGE) { io.drain(); return io.send(DOH_WRONG_TYPE); }
      const client = this.o.doh.clientOf(token === '' ? undefined : token, this.clientAddress(io));
      if (client === null) { io.drain(); return io.send(DOH_UNKNOWN_TOKEN); }
      if (method === 'GET') {
        const q = url.indexOf('?');
        const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).getAll('dns');
        return settle(this.o.doh.answer(params.length === 1 ? decodeDnsParam(params[0]) : undefined, client));
      }
      io.body((body) => {
        if (body === null) return io.send(DOH_TOO_LARGE);
        try {
          settle(this.o.doh.answer(body, client));
        } catch (err) {
          fail(err);
        }
      });
    } catch (err) {
      fail(err);
    }
  }

  /** Wraps a request handler (HTTP/1.1, and HTTP/2 streams the stream path passed on). */
  handler(next: Handler): Handler {
    return (req, res) => {
      const url = req.url ?? '';
      const method = req.method ?? '';
      const token = dohToken(method, url);
      if (token === null) return next(req, res);
      this.serve({
        header: (name) => { const v = req.headers[name]; return typeof v === 'string' ? v : undefined; },
        peer: () => req.socket.remoteAddress,
        body: (done) => readLimited(req, req.headers['content-length'], done),
        drain: () => { req.resume(); },
        send: (r) => {
          if (res.destroyed || res.headersSent) return;
          const b = bodyOf(r);
          res.writeHead(r.status, r.cacheControl !== undefined
            ? { 'content-type': b.type, 'cache-control': r.cacheControl, 'content-length': b.length }
            : { 'content-type': b.type, 'content-length': b.length });
          res.end(r.body);
        },
      }, method, url, token);
    };
  }

  /**
   * Puts the DoH stream path in front of an HTTP/2 server's compatibility layer (the 'stream'
   * listener Node adds with the first 'request' listener): DoH streams are answered here,
   * every other stream is handed to that listener as Node would have.
   */
  interceptStreams(server: http2.Http2SecureServer): void {
    const compat = server.listeners('stream') as StreamListener[];
    server.removeAllListeners('stream');
    server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
      const url = headers[':path'] ?? '';
      const method = headers[':method'] ?? '';
      const token = dohToken(method, url);
      if (token === null) {
        for (const l of compat) l.call(server, stream, headers, flags, rawHeaders);
        return;
      }
      stream.on('error', () => undefined); // a reset by the client: nothing to answer
      this.serve({
        header: (name) => { const v = headers[name]; return typeof v === 'string' ? v : undefined; },
        peer: () => stream.session?.socket?.remoteAddress,
        body: (done) => readLimited(stream, typeof headers['content-length'] === 'string' ? headers['content-length'] : undefined, done),
        drain: () => { stream.resume(); },
        send: (r) => {
          if (stream.destroyed || stream.headersSent) return;
          const b = bodyOf(r);
          stream.respond(r.cacheControl !== undefined
            ? { ':status': r.status, 'content-type': b.type, 'cache-control': r.cacheControl, 'content-length': b.length }
            : { ':status': r.status, 'content-type': b.type, 'content-length': b.length });
          stream.end(r.body);
        },
      }, method, url, token);
    });
  }
}
