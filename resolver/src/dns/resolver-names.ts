import type { Config } from '../config/config-schema.js';
import { parseHostPort } from '../config/host-port.js';
import { blockedResponse, recordsResponse } from './message-builders.js';
import { encodeName, lowerByte, type ParsedQuery } from './wire.js';

// Names the resolver answers itself, whatever the upstreams or policies say:
//   - `use-application-dns.net`: NXDOMAIN, the browsers' canary (Firefox) telling them not to
//     switch to their own DoH provider, which would bypass the filter. Every network gets
//     it, whatever its policy; the other signals (iCloud Private Relay) follow the bypass
//     category and are answered by the policy path (policy/encrypted-dns-signals.ts);
//   - `_dns.resolver.arpa` SVCB (RFC 9462, DDR): the encrypted endpoints of this resolver, so
//     clients that support discovery upgrade to DoT or DoH by themselves. Answered only when
//     TLS is configured with a server name the certificate covers; NODATA otherwise.
// Checked on every query, so the test is a length compare first and bytes only on a match.

export const TYPE_SVCB = 64;
const CANARY = encodeName('use-application-dns.net');
const DDR = encodeName('_dns.resolver.arpa');
const TTL = 300;
const NO_ADDRESSES: Uint8Array[] = [];
const NO_RECORDS: Uint8Array[] = [];
const SVC_ALPN = 1;
const SVC_PORT = 3;
const SVC_DOHPATH = 7;

export interface DiscoveryEndpoints {
  serverName: string;
  dotPort?: number;
  httpsPort?: number;
}

/** SVCB RDATA: priority, target, then parameters in key order. */
function svcb(priority: number, target: string, alpn: string[], port: number, dohpath?: string): Uint8Array {
  const params: Buffer[] = [];
  const param = (key: number, value: Buffer) => {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(key, 0);
    h.writeUInt16BE(value.length, 2);
    params.push(h, value);
  };
  param(SVC_ALPN, Buffer.concat(alpn.map((a) => Buffer.concat([Buffer.from([a.length]), Buffer.from(a)]))));
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port, 0);
  param(SVC_PORT, p);
  if (dohpath !== undefined) param(SVC_DOHPATH, Buffer.from(dohpath));
  const head = Buffer.alloc(2);
  head.writeUInt16BE(priority, 0);
  return Buffer.concat([head, encodeName(target), ...params]);
}

/** The endpoints DDR announces, from the configuration; null when TLS or its name is missing. */
export function discoveryFromConfig(c: Config): DiscoveryEndpoints | null {
  if (!c.tls.cert_file || !c.tls.key_file || !c.tls.server_name) return null;
  const dot = c.dns.dot_listen[0];
  const https = c.http.https_listen;
  if (dot === undefined && https === undefined) return null;
  return {
    serverName: c.tls.server_name,
    dotPort: dot === undefined ? undefined : parseHostPort(dot).port,
    httpsPort: https === undefined ? undefined : parseHostPort(https).port,
  };
}

function sameName(msg: Uint8Array, q: ParsedQuery, wire: Uint8Array): boolean {
  if (q.qnameEnd - 12 !== wire.length) return false;
  for (let i = 0; i < wire.length; i++) if (lowerByte(msg[12 + i]) !== wire[i]) return false;
  return true;
}

export class ResolverNames {
  private readonly ddr: Uint8Array[];

  constructor(endpoints: DiscoveryEndpoints | null) {
    this.ddr = [];
    if (endpoints === null) return;
    if (endpoints.dotPort !== undefined) this.ddr.push(svcb(1, endpoints.serverName, ['dot'], endpoints.dotPort));
    if (endpoints.httpsPort !== undefined) this.ddr.push(svcb(2, endpoints.serverName, ['h2', 'http/1.1'], endpoints.httpsPort, '/dns-query{?dns}'));
  }

  /** The resolver's own answer to `q`, or null when the name is not one of its own. */
  answer(msg: Uint8Array, q: ParsedQuery): Buffer | null {
    if (sameName(msg, q, CANARY)) return blockedResponse(msg, q, true, NO_ADDRESSES, TTL, null);
    if (sameName(msg, q, DDR)) return recordsResponse(msg, q, TYPE_SVCB, TTL, q.qtype === TYPE_SVCB ? this.ddr : NO_RECORDS);
    return null;
  }
}
