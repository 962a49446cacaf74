import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { HostPort } from '../config/host-port.js';
import type { NetworkRuntime } from '../policy/policy-types.js';
import { closeStream, DnsStreams, listenStream, type StreamConn, type StreamLimits } from './dns-stream.js';
import type { QueryHandler } from './query-handler.js';
import type { TlsCertificates } from './tls-certificates.js';

// DNS over TLS (RFC 7858): the TCP stream code behind a TLS handshake, with the same limits
// (counted from the first TCP byte, the handshake included). The server name the client asks
// for may carry its network: `{token}.{server_name}` (the ClientID scheme of AdGuard Home), so
// a phone away from home keeps its family's policy; a bare server name or none falls back to
// the source address.

export interface TokenLookup {
  networkForToken(token: string): NetworkRuntime | null;
}

/** No network matches this address: an unknown token is answered REFUSED, as a stranger is. */
const NO_NETWORK = '';

export class DotListener {
  private readonly server: tls.Server;
  private readonly streams: DnsStreams;
  /** connections admitted whose handshake is still going on, by peer address and port */
  private readonly handshaking = new Map<string, StreamConn>();
  private readonly suffix: string | null;

  constructor(
    private readonly addr: HostPort,
    handler: QueryHandler,
    limits: StreamLimits,
    certs: TlsCertificates,
    serverName: string | undefined,
    private readonly tokens: TokenLookup,
    private readonly log: Logger,
  ) {
    this.suffix = serverName ? `.${serverName.toLowerCase().replace(/\.$/, '')}` : null;
    this.streams = new DnsStreams(handler, limits, log, 'dot');
    this.server = tls.createServer({
      ...certs.options,
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['dot'],
      handshakeTimeout: limits.frameTimeoutMs,
    });
    certs.serve(this.server);
    this.server.on('connection', (raw: net.Socket) => {
      const c = this.streams.admit(raw);
      if (c === null) return;
      const key = `${raw.remoteAddress}|${raw.remotePort}`;
      this.handshaking.set(key, c);
      raw.once('close', () => this.handshaking.delete(key));
    });
    this.server.on('secureConnection', (s: tls.TLSSocket) => {
      const key = `${s.remoteAddress}|${s.remotePort}`;
      const c = this.handshaking.get(key);
      if (c === undefined) { s.destroy(); return; }
      this.handshaking.delete(key);
      this.streams.start(c, s, this.clientOf(s.servername, c.client as string));
    });
    this.server.on('tlsClientError', (_err, s) => s.destroy());
    this.server.on('error', (err) => this.log.warn({ stage: 'dot', code: (err as NodeJS.ErrnoException).code }, 'dot: server error'));
  }

  /** The network the server name names, or the source address when it names none. */
  private clientOf(servername: string | false | null | undefined, address: string): string | NetworkRuntime {
    if (!servername || this.suffix === null) return address;
    const sni = servername.toLowerCase();
    if (!sni.endsWith(this.suffix)) return address;
    const token = sni.slice(0, sni.length - this.suffix.length);
    if (token.includes('.') || token.length === 0) return address;
    return this.tokens.networkForToken(token) ?? NO_NETWORK;
  }

  listen(): Promise<void> {
    return listenStream(this.server, this.addr, 'dot');
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    return closeStream(this.server, this.streams);
  }
}
