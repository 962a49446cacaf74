import https from 'node:https';
import { answersQuestion } from './response-match.js';
import { reasonOf, TransportError, type Transport } from './transport.js';
import type { UpstreamSpec } from './upstream-url.js';

export interface HttpsTransportOptions {
  /** idle keep-alive connections are closed after this long */
  idleMs?: number;
  /** connections open at once (HTTP/1.1 carries one query per connection at a time) */
  maxSockets?: number;
}

const MAX_MESSAGE = 65535;

/**
 * DNS over HTTPS (RFC 8484): POST application/dns-message over kept-alive connections whose
 * certificate is verified. The wire ID is 0, as the RFC asks, so answers stay cacheable by
 * HTTP caches; matching relies on the one request/response exchange instead.
 */
export class HttpsTransport implements Transport {
  private readonly agent: https.Agent;
  private readonly url: URL;
  private closed = false;

  /** `ca`: trusted roots; undefined means Node's defaults. */
  constructor(spec: UpstreamSpec, ca: string[] | undefined, options: HttpsTransportOptions = {}) {
    if (!spec.href) throw new Error(`upstream: "${spec.url}" has no URL`);
    this.url = new URL(spec.href);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets ?? 8,
      timeout: options.idleMs ?? 30_000,
      ca,
      servername: spec.serverName,
    });
  }

  exchange(query: Buffer, qEnd: number, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new TransportError('closed'));
    const body = Buffer.allocUnsafe(query.length);
    query.copy(body);
    body[0] = 0;
    body[1] = 0;
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null, resp?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(resp!);
      };
      const req = https.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message', 'content-length': body.length },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            settle(new TransportError(`HTTP ${res.statusCode}`));
            return;
          }
          if (!res.headers['content-type']?.startsWith('application/dns-message')) {
            res.resume();
            settle(new TransportError('answer is not application/dns-message'));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_MESSAGE) settle(new TransportError('answer too large'));
            else chunks.push(c);
          });
          res.on('end', () => {
            const msg = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            if (msg.length < 12 || msg[0] !== 0 || msg[1] !== 0 || !answersQuestion(msg, query, qEnd)) {
              settle(new TransportError('answer does not match the question'));
              return;
            }
            msg[0] = query[0];
            msg[1] = query[1];
            settle(null, msg);
          });
          res.on('error', (err) => settle(new TransportError(reasonOf(err))));
        },
      );
      const timer = setTimeout(() => settle(new TransportError('timeout', true)), timeoutMs);
      req.on('error', (err) => settle(new TransportError(reasonOf(err))));
      req.end(body);
    });
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }
}
