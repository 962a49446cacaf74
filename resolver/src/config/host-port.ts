import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
  family: 4 | 6;
}

/** "127.0.0.1:53" or "[::1]:53" -> address and port; listeners bind to literal addresses only. */
export function parseHostPort(s: string): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) throw new Error(`"${s}" is not host:port (IPv6 as [::1]:53)`);
  const host = m[1];
  const port = Number(m[2]);
  if (!(port >= 0 && port <= 65535)) throw new Error(`"${s}": port out of range`);
  const v = isIP(host);
  if (v === 0) {
    if (host === 'localhost') return { host: '127.0.0.1', port, family: 4 };
    throw new Error(`"${s}": host must be an IP address`);
  }
  return { host, port, family: v as 4 | 6 };
}
