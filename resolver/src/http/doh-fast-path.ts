import type http from 'node:http';
import { decodeDnsParam, DNS_MESSAGE, DOH_BODY_LIMIT, DOH_TOO_LARGE, DOH_UNKNOWN_TOKEN, DOH_WRONG_TYPE, type DohExchange, type DohReply } from './doh-exchange.js';

// DoH requests answered on the listener itself, before fastify: a phone on DoH asks every
// name this way, and fastify's per-request work (routing, hooks, security headers, reply
// serialisation) cost several times the DNS answer itself. Only GET and POST of exactly
// /dns-query and /dns-query/{token} (token characters only) take this path; everything else,
// and anything unusual about those (a HEAD, a percent-encoded path), goes on to fastify, whose
// DoH routes answer with the same exchange.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const TOKEN = /^[A-Za-z0-9_-]+$/;
const PREFIX = '/dns-query';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The client address as fastify's `trustProxy` gives it: the peer, unless the peer is a
 * trusted proxy; then X-Forwarded-For read from the right, skipping trusted hops.
 */
export function clientAddressReader(trusted: ((address: string | undefined) => boolean) | null): (req: http.IncomingMessage) => string | undefined {
  if (trusted === null) return (req) => req.socket.remoteAddress;
  return (req) => {
    let addr = req.socket.remoteAddress;
    const fwd = req.headers['x-forwarded-for'];
    if (!trusted(addr) || typeof fwd !== 'string') return addr;
    const hops = fwd.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      addr = hops[i].trim();
      if (!trusted(addr)) return addr;
    }
    return addr;
  };
}

function write(res: http.ServerResponse, r: DohReply): void {
  if (res.destroyed) return;
  const isDns = r.cacheControl !== undefined;
  res.writeHead(r.status, isDns
    ? { 'content-type': DNS_MESSAGE, 'cache-control': r.cacheControl!, 'content-length': r.body.length }
    : { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

function settle(res: http.ServerResponse, r: DohReply | Promise<DohReply>, onError: (err: unknown) => void): void {
  if (r instanceof Promise) r.then((v) => write(res, v), onError);
  else write(res, r);
}

/** Reads a POST body of at most DOH_BODY_LIMIT bytes; null when it is larger. */
function readBody(req: http.IncomingMessage, done: (body: Buffer | null) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > DOH_BODY_LIMIT) { req.resume(); done(null); return; }
  const parts: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > DOH_BODY_LIMIT) { over = true; done(null); return; }
    parts.push(chunk);
  });
  req.on('end', () => { if (!over) done(parts.length === 1 ? parts[0] : Buffer.concat(parts)); });
  req.on('error', () => undefined);
}

/**
 * Wraps a listener's request handler (fastify's) so DoH requests are answered first.
 * `onError`: a failure inside the resolver; the client gets 500 with no detail.
 */
export function dohFastPath(doh: DohExchange, clientAddress: (req: http.IncomingMessage) => string | undefined, onError: (err: unknown) => void, next: Handler): Handler {
  return (req, res) => {
    const url = req.url ?? '';
    const method = req.method;
    if ((method !== 'GET' && method !== 'POST') || !url.startsWith(PREFIX)) return next(req, res);
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let token: string | undefined;
    if (path.length !== PREFIX.length) {
      token = path.slice(PREFIX.length + 1);
      if (path[PREFIX.length] !== '/' || !TOKEN.test(token)) return next(req, res);
    }
    const fail = (err: unknown) => {
      onError(err);
      write(res, { status: 500, body: JSON.stringify({ error: 'internal error' }) });
    };
    try {
      if (method === 'GET') {
        const client = doh.clientOf(token, clientAddress(req));
        if (client === null) return write(res, DOH_UNKNOWN_TOKEN);
        const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).getAll('dns');
        return settle(res, doh.answer(params.length === 1 ? decodeDnsParam(params[0]) : undefined, client), fail);
      }
      if (req.headers['content-type'] !== DNS_MESSAGE) { req.resume(); return write(res, DOH_WRONG_TYPE); }
      const client = doh.clientOf(token, clientAddress(req));
      if (client === null) { req.resume(); return write(res, DOH_UNKNOWN_TOKEN); }
      readBody(req, (body) => {
        if (body === null) return write(res, DOH_TOO_LARGE);
        try {
          settle(res, doh.answer(body, client), fail);
        } catch (err) {
          fail(err);
        }
      });
    } catch (err) {
      fail(err);
    }
  };
}
