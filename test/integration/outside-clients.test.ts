import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startNestguard, type Running } from '../../resolver/src/app.js';
import { loadConfig } from '../../resolver/src/config/load-config.js';
import { OutsideClients } from '../../resolver/src/server/outside-clients.js';
import { createLogger } from '../../resolver/src/logger.js';
import { RECORDS, startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { freePort } from '../helpers/ports.js';
import { removeOnExit } from '../helpers/test-cleanup.js';

// A query refused because its source is in no network is counted and, once a minute, said in
// the log at info with the fix, never with the address. The server runs in this process on
// real sockets; only the minute timer is driven by the test.

let up: AuthUpstream;
let running: Running;
let port: number;
const lines: string[] = [];

beforeAll(async () => {
  up = await startAuthUpstream();
  port = await freePort(['127.0.0.1', '::1']);
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-outside-'));
  removeOnExit(dir);
  const file = join(dir, 'nestguard.yaml');
  writeFileSync(file, 'lists: { bundled: false }\npolicies: [{ name: open }]\nnetworks: [{ name: v4-only, cidrs: [127.0.0.1/32], policy: open }]\n');
  const loaded = loadConfig({
    NESTGUARD_CONFIG: file,
    NESTGUARD_DATA_DIR: join(dir, 'data'),
    NESTGUARD_DNS_LISTEN: `127.0.0.1:${port},[::1]:${port}`,
    NESTGUARD_HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
    NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${up.port}`,
  });
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  running = await startNestguard(loaded, log);
});

afterAll(async () => {
  await running?.close();
  vi.useRealTimers();
  await up?.stop();
});

it('refusals from outside every network are logged once a minute, at info, without addresses', async () => {
  for (let i = 0; i < 3; i++) expect((await query({ port, server: '::1', name: RECORDS.a.name })).rcode).toBe('REFUSED');
  expect((await query({ port, name: RECORDS.a.name })).answer[0]?.data).toBe(RECORDS.a.ipv4);
  const notice = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => String(r.msg).includes('outside every network'));
  expect(notice()).toEqual([]);
  vi.advanceTimersByTime(60_000);
  expect(notice()).toEqual([expect.objectContaining({
    level: 30,
    refused: 3,
    clients: 1,
    msg: "resolver: refused 3 queries from 1 client outside every network in the last minute; to serve them, add their address range to a network's cidrs",
  })]);
  // a quiet minute says nothing
  vi.advanceTimersByTime(60_000);
  expect(notice()).toHaveLength(1);
  expect(lines.join('')).not.toContain('::1');
});

it('the estimate of distinct clients stays close without keeping any address', () => {
  const o = new OutsideClients();
  for (let i = 0; i < 500; i++) for (let k = 0; k < 4; k++) o.note(`10.0.${i >> 8}.${i & 255}`);
  const { queries, clients } = o.take();
  expect(queries).toBe(2000);
  expect(clients).toBeGreaterThan(470);
  expect(clients).toBeLessThan(530);
  expect(o.take()).toEqual({ queries: 0, clients: 0 });
});
