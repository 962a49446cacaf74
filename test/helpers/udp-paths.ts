import { loadUdpBatchAddon, type UdpBatchAddon } from '../../resolver/src/server/udp-batch-addon.js';

/**
 * The two ways UDP upstream queries travel, for tests that run once per path: node:dgram, and
 * the batched addon (which `npm install` builds here; its absence fails these tests loudly).
 */
export function udpPaths(): [string, UdpBatchAddon | null][] {
  const { addon, reason } = loadUdpBatchAddon();
  if (addon === null) throw new Error(`the batched UDP path cannot be tested: ${reason}`);
  return [
    ['node:dgram', null],
    ['the batched addon', addon],
  ];
}
