import http from 'node:http';
import http2 from 'node:http2';
import type { FastifyServerOptions } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config/config-schema.js';
import { parseCidr } from '../policy/cidr.js';
import type { TlsCertificates } from '../server/tls-certificates.js';
import type { DohExchange } from './doh-exchange.js';
import { DohFastPath } from './doh-fast-path.js';

// The limits every HTTP listener runs with, in one place. Node's and fastify's defaults wait
// for ever on a slow body (requestTimeout 0) and accept any number of connections, so a
// handful of slow clients could hold every socket. DoH and the API need small requests only:
// short deadlines cost a real client nothing.

export const HTTP_LIMITS = {
  /** the whole request, headers and body, must arrive within this */
  requestTimeoutMs: 10_000,
  /** the headers must arrive within this (Node checks it on its connection sweep) */
  headersTimeoutMs: 5_000,
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: 5_000,
  /** a socket with no traffic at all is closed after this */
  connectionTimeoutMs: 30_000,
  /** request line and headers together */
  maxHeaderSize: 8 * 1024,
  /** API bodies; DoH messages have their own 65,535-byte limit */
  bodyLimit: 1024 * 1024,
  /** how often Node looks for requests past their deadline */
  checkIntervalMs: 1_000,
} as const;

/** The settings a Node HTTP server and an HTTP/2 server with HTTP/1.1 fallback share. */
interface LimitableServer {
  maxConnections: number;
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  setTimeout(ms: number): unknown;
}

/** Applies the limits to a Node HTTP (or HTTP/2-with-HTTP/1.1) server fastify will use. */
export function limitHttpServer<S extends LimitableServer>(server: S, maxConnections: number): S {
  server.maxConnections = maxConnections;
  server.requestTimeout = HTTP_LIMITS.requestTimeoutMs;
  server.headersTimeout = HTTP_LIMITS.headersTimeoutMs;
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeoutMs;
  server.setTimeout(HTTP_LIMITS.connectionTimeoutMs);
  return server;
}

/**
 * Trusted reverse proxies as fastify's `trustProxy`: the client address (`req.ip`) is read
 * from X-Forwarded-For only when the peer is one of them, so a proxy on the same machine
 * does not make every DoH client look local, and nobody else can claim an address.
 */
export function trustedProxies(config: Config): string[] | false {
  const list = config.http.trusted_proxies.map((r) => parseCidr(r)?.text ?? r);
  return list.length === 0 ? false : list;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Whether an address is one of the trusted proxies; null when there are none. */
export function trustedPeer(config: Config): ((address: string | undefined) => boolean) | null {
  const ranges = config.http.trusted_proxies.map((r) => ipaddr.parseCIDR(parseCidr(r)?.text ?? r));
  if (ranges.length === 0) return null;
  return (address) => {
    if (address === undefined || !ipaddr.isValid(address)) return false;
    const a = ipaddr.process(address);
    return ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  };
}

/** DoH answered on the listener before fastify (doh-fast-path.ts), when given. */
export interface DohServing {
  exchange: DohExchange;
  /** a failure inside the resolver while answering (logged without personal data) */
  onError: (err: unknown) => void;
}

function fastPath(config: Config, doh: DohServing | undefined): DohFastPath | null {
  return doh === undefined ? null : new DohFastPath({ doh: doh.exchange, trusted: trustedPeer(config), forwardedFor, onError: doh.onError });
}

/** The listener's request handler: the DoH fast path first (when given), Forwarded read first of all. */
function listenerHandler(config: Config, handler: Handler, fast: DohFastPath | null): Handler {
  return acceptForwarded(config, fast === null ? handler : fast.handler(handler));
}

/**
 * Proxies that speak RFC 7239 send `Forwarded: for=…` instead of X-Forwarded-For. From a
 * trusted peer, its `for` values are handed on as the X-Forwarded-For that fastify reads, so
 * both headers mean one thing; from anyone else the request is left as it came.
 */
export function acceptForwarded(config: Config, handler: Handler): Handler {
  const trusted = trustedPeer(config);
  if (trusted === null) return handler;
  return (req, res) => {
    const fwd = req.headers.forwarded;
    if (fwd !== undefined && req.headers['x-forwarded-for'] === undefined && trusted(req.socket.remoteAddress)) {
      const hops = forwardedFor(fwd);
      if (hops.length > 0) req.headers['x-forwarded-for'] = hops.join(', ');
    }
    handler(req, res);
  };
}

/** The `for` addresses of a Forwarded header, first hop first, without quotes, brackets or ports. */
export function forwardedFor(header: string): string[] {
  const out: string[] = [];
  for (const element of header.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let v = pair.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (v.startsWith('[')) v = v.slice(1, v.indexOf(']') < 0 ? undefined : v.indexOf(']'));
      else if (v.split(':').length === 2) v = v.slice(0, v.indexOf(':')); // IPv4 with a port
      // obfuscated identifiers ("_hidden", "unknown") are no address to hand on
      if (ipaddr.isValid(v)) out.push(v);
    }
  }
  return out;
}

/** Fastify options for a plain HTTP listener. */
export function httpServerOptions(config: Config, doh?: DohServing): FastifyServerOptions {
  return {
    bodyLimit: HTTP_LIMITS.bodyLimit,
    trustProxy: trustedProxies(config),
    serverFactory: (handler) => limitHttpServer(http.createServer({
      maxHeaderSize: HTTP_LIMITS.maxHeaderSize,
      connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    }, listenerHandler(config, handler, fastPath(config, doh))), config.http.max_connections),
  };
}

/**
 * Fastify options for the HTTPS listener: HTTP/2 with HTTP/1.1 for older clients, chosen by
 * ALPN, TLS 1.2 or later, the certificate `certs` holds now and every later one.
 */
export function httpsServerOptions(config: Config, certs: TlsCertificates, doh?: DohServing): FastifyServerOptions {
  return {
    bodyLimit: HTTP_LIMITS.bodyLimit,
    trustProxy: trustedProxies(config),
    http2: true,
    serverFactory: (handler) => {
      const fast = fastPath(config, doh);
      const server = http2.createSecureServer({
        ...certs.options,
        allowHTTP1: true,
        minVersion: 'TLSv1.2',
        settings: { maxHeaderListSize: HTTP_LIMITS.maxHeaderSize },
      }, listenerHandler(config, handler as unknown as Handler, fast) as unknown as Parameters<typeof http2.createSecureServer>[1]);
      // HTTP/2 DoH streams are answered before Node's compatibility layer; HTTP/1.1 by the handler
      fast?.interceptStreams(server);
      certs.serve(server);
      return limitHttpServer(server as unknown as http2.Http2SecureServer & LimitableServer, config.http.max_connections) as unknown as http.Server;
    },
  } as FastifyServerOptions;
}
