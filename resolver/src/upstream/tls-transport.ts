import type net from 'node:net';
import tls from 'node:tls';
import { TcpTransport, type StreamTransportOptions } from './tcp-transport.js';
import type { UpstreamSpec } from './upstream-url.js';

/**
 * DNS over TLS (RFC 7858): the TCP transport's framing and pipelining over a TLS connection
 * whose certificate must be valid for the configured server name. Sessions are resumed across
 * reconnects to save a handshake round trip.
 */
export class TlsTransport extends TcpTransport {
  private session: Buffer | undefined;

  /** `ca`: trusted roots; undefined means Node's defaults. */
  constructor(spec: UpstreamSpec, private readonly ca: string[] | undefined, options: StreamTransportOptions = {}) {
    super(spec, options);
    if (!spec.serverName) throw new Error(`upstream: "${spec.url}" needs a TLS server name`);
  }

  protected override connect(): net.Socket {
    const socket = tls.connect({
      host: this.spec.host,
      port: this.spec.port,
      servername: this.spec.serverName,
      ca: this.ca,
      session: this.session,
      ALPNProtocols: ['dot'],
    });
    socket.setNoDelay(true);
    socket.on('session', (s: Buffer) => {
      this.session = s;
    });
    return socket;
  }
}
