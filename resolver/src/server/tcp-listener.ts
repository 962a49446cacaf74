import net from 'node:net';
import type { Logger } from 'pino';
import type { HostPort } from '../config/host-port.js';
import { closeStream, DnsStreams, listenStream, type StreamLimits } from './dns-stream.js';
import type { QueryHandler } from './query-handler.js';

// DNS over TCP (RFC 7766) on one address: the socket server only; framing, pipelining,
// timeouts and connection limits are the shared stream code's (DoT uses it too).

export class TcpListener {
  private readonly server: net.Server;
  private readonly streams: DnsStreams;

  constructor(
    private readonly addr: HostPort,
    handler: QueryHandler,
    limits: StreamLimits,
    private readonly log: Logger,
  ) {
    this.streams = new DnsStreams(handler, limits, log, 'tcp');
    this.server = net.createServer({ noDelay: true }, (s) => {
      const c = this.streams.admit(s);
      if (c !== null) this.streams.start(c, s, c.client);
    });
    this.server.on('error', (err) => this.log.warn({ stage: 'tcp', code: (err as NodeJS.ErrnoException).code }, 'tcp: server error'));
  }

  listen(): Promise<void> {
    return listenStream(this.server, this.addr, 'tcp');
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    return closeStream(this.server, this.streams);
  }
}
