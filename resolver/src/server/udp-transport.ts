import type { Logger } from 'pino';
import type { HostPort } from '../config/host-port.js';
import { BatchedUdpListener } from './batched-udp-listener.js';
import type { QueryHandler } from './query-handler.js';
import { loadUdpBatchAddon, type UdpBatchAddon } from './udp-batch-addon.js';
import { UdpListener, type UdpListenOptions } from './udp-listener.js';

// Which UDP path serves: the batched addon (recvmmsg/sendmmsg, one socket per worker with
// SO_REUSEPORT) when it is built, node:dgram otherwise; `dns.udp` (NESTGUARD_UDP) forces one.

export type UdpMode = 'auto' | 'batched' | 'dgram';

export type UdpServing = BatchedUdpListener | UdpListener;

export interface UdpPath {
  /** null: node:dgram serves */
  addon: UdpBatchAddon | null;
  /** why this path, for the start-up log line */
  reason: string;
}

/** The path that serves under `mode`; throws when `batched` is forced and the addon is unavailable. */
export function udpPath(mode: UdpMode): UdpPath {
  if (mode === 'dgram') return { addon: null, reason: 'dns.udp is dgram' };
  const { addon, reason } = loadUdpBatchAddon();
  if (addon !== null) return { addon, reason: mode === 'batched' ? 'dns.udp is batched' : 'the udp-batch addon is built' };
  if (mode === 'batched') throw new Error(`udp: dns.udp is batched but ${reason}`);
  return { addon: null, reason };
}

export function createUdpListener(path: UdpPath, addr: HostPort, handler: QueryHandler, opts: UdpListenOptions, log: Logger): UdpServing {
  return path.addon !== null ? new BatchedUdpListener(path.addon, addr, handler, opts, log) : new UdpListener(addr, handler, opts, log);
}

export function isUdpServing(d: unknown): d is UdpServing {
  return d instanceof BatchedUdpListener || d instanceof UdpListener;
}
