import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The batched UDP addon (resolver/native/udp-batch), built by `npm install` where a compiler
// is present. Loading never throws: without it, UDP is served by node:dgram.

/** A socket opened by the addon (opaque). */
export type UdpBatchHandle = { readonly __udpBatch: unique symbol };

export interface UdpBatchOpenOptions {
  host: string;
  port: number;
  family: 4 | 6;
  /** SO_REUSEPORT: cluster workers each bind their own socket on the same address */
  reusePort: boolean;
  recvBuffer: number;
  sendBuffer: number;
  recv: ArrayBuffer;
  send: ArrayBuffer;
  peers: ArrayBuffer;
  meta: ArrayBuffer;
  /** called with the number of datagrams read; returns the number of replies in send slots 0.. */
  onBatch: (count: number) => number;
  /** upstream sockets: connected to this address (and `connectPort`) after the bind */
  connectHost?: string;
  connectPort?: number;
  /** bytes per receive slot (default SLOT_BYTES); a longer datagram reads as length -1 */
  slotBytes?: number;
  /** an error on the socket (ICMP unreachable on a connected one), by code; without it, counted only */
  onError?: (code: string) => void;
}

export interface UdpBatchAddon {
  open(o: UdpBatchOpenOptions): UdpBatchHandle;
  /** the code of an error that made a message undeliverable, if one did */
  send(h: UdpBatchHandle, firstSlot: number, count: number): string | undefined;
  /** [port, recvBuffer, sendBuffer, batches, datagrams, sent, sendErrors, recvErrors, deferred, dropped, held] */
  info(h: UdpBatchHandle): number[];
  pause(h: UdpBatchHandle, paused: boolean): void;
  close(h: UdpBatchHandle): void;
  readonly RECV_SLOTS: number;
  readonly SLOT_BYTES: number;
  readonly SEND_SLOTS: number;
  readonly SEND_BYTES: number;
  readonly PEER_BYTES: number;
  readonly PEER_SLOTS: number;
  readonly META_INTS: number;
}

const BINARY = join('resolver', 'native', 'udp-batch', 'build', 'Release', 'udp_batch.node');

let loaded: { addon: UdpBatchAddon | null; reason: string } | undefined;

/** The addon, or null with the reason it is not available. */
export function loadUdpBatchAddon(): { addon: UdpBatchAddon | null; reason: string } {
  if (loaded !== undefined) return loaded;
  // found from this module in sources and in dist/ alike
  let dir = dirname(fileURLToPath(import.meta.url));
  let file: string | null = null;
  for (let i = 0; i < 6 && file === null; i++) {
    if (existsSync(join(dir, BINARY))) file = join(dir, BINARY);
    dir = dirname(dir);
  }
  if (file === null) return (loaded = { addon: null, reason: `${BINARY} was not built (npm install builds it where a C compiler is present)` });
  try {
    return (loaded = { addon: createRequire(import.meta.url)(file) as UdpBatchAddon, reason: '' });
  } catch (err) {
    return (loaded = { addon: null, reason: `${BINARY} does not load: ${(err as Error).message}` });
  }
}
