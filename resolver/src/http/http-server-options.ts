import http from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config/config-schema.js';
import { parseCidr } from '../policy/cidr.js';

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

/** Applies the limits to a Node HTTP (or HTTP/2-with-HTTP/1.1) server fastify will use. */
export function limitHttpServer<S extends http.Server>(server: S, maxConnections: number): S {
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

/** Fastify options for a plain HTTP listener. */
export function httpServerOptions(config: Config): FastifyServerOptions {
  return {
    bodyLimit: HTTP_LIMITS.bodyLimit,
    trustProxy: trustedProxies(config),
    serverFactory: (handler) => limitHttpServer(http.createServer({
      maxHeaderSize: HTTP_LIMITS.maxHeaderSize,
      connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    }, handler), config.http.max_connections),
  };
}
