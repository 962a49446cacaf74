import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { buildQuery } from '../helpers/dns-message.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// NESTGUARD_WORKERS > 0: the workers serve DNS only; the primary alone downloads the lists,
// serves HTTP and rolls statistics up. Checked from outside: how often the list host is asked,
// which processes listen where, and that a list change reaches every worker.

let nsd: AuthUpstream;
let listHost: Server;
let listPort = 0;
let listBody = 'blocked-one.example\n';
let downloads = 0;
let ng: Nestguard;

function children(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString();
  return out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

/** pids with a TCP (or UDP) socket bound to `port` (ss -p needs no privilege for our own processes) */
function listeners(port: number, proto: 't' | 'u' = 't'): Set<number> {
  const out = execFileSync('ss', ['-H', `-l${proto}np`, `sport = :${port}`]).toString();
  return new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
}

/** one A query for `name` from a socket of its own (a new source port), resolved on its answer */
function askFromNewPort(port: number, name: string, id: number): Promise<void> {
  const q = buildQuery({ id, name });
  const s = createSocket('udp4');
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { s.close(); reject(new Error(`no answer to query ${id}`)); }, 5000);
    s.on('message', () => { clearTimeout(timer); s.close(); resolve(); });
    s.send(q, port, '127.0.0.1');
  });
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

beforeAll(async () => {
  nsd = await startAuthUpstream();
  listHost = createServer((req, res) => {
    downloads++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(listBody);
  });
  await new Promise<void>((r) => listHost.listen(0, '127.0.0.1', r));
  listPort = (listHost.address() as { port: number }).port;
  ng = await startNestguard({
    upstreamPort: nsd.port,
    ipv6: false,
    waitForHttp: true,
    env: { NESTGUARD_WORKERS: '2' },
    config: {
      blocklists: [{ name: 'remote', category: 'adult', source: `http://127.0.0.1:${listPort}/list.txt`, format: 'domains' }],
      policies: [{ name: 'open', block: ['adult'] }],
    },
  });
});

afterAll(async () => {
  await ng?.stop();
  await new Promise<void>((r) => listHost?.close(() => r()));
  await nsd?.stop();
});

describe('cluster mode (NESTGUARD_WORKERS=2)', () => {
  it('workers answer DNS, with the list the primary alone downloaded', async () => {
    // many queries at once: the kernel spreads them over both workers, and each must block
    expect(await until(async () => {
      const rs = await Promise.all(Array.from({ length: 8 }, () => query({ port: ng.dnsPort, name: 'blocked-one.example' })));
      return rs.every((r) => r.rcode === 'NXDOMAIN');
    }, 15_000)).toBe(true);
    const ok = await query({ port: ng.dnsPort, name: RECORDS.a.name });
    expect(ok.answer[0]?.data).toBe(RECORDS.a.ipv4);
    await new Promise((r) => setTimeout(r, 1500));
    // one download, not one per process
    expect(downloads).toBe(1);
  });

  it('runs two workers beside the primary, which serves HTTP', async () => {
    expect(children(ng.pid)).toHaveLength(2);
    expect([...listeners(ng.httpPort)]).toEqual([ng.pid]);
    if (ng.logRecords().find((l) => l.stage === 'udp')?.path === 'batched') {
      // a SO_REUSEPORT socket in each worker, none in the primary; and no worker restarted
      // (a second socket that could not bind would exit its worker, again and again)
      expect([...listeners(ng.dnsPort, 'u')].sort()).toEqual(children(ng.pid).sort());
      expect(ng.logRecords().filter((l) => l.msg === 'nestguard: worker exited; starting another')).toEqual([]);
    }
    const res = await fetch(`http://127.0.0.1:${ng.httpPort}/health`);
    expect(res.status).toBe(200);
  });

  it('a list change fetched by the primary reaches every worker', async () => {
    listBody = 'blocked-one.example\nblocked-two.example\n';
    process.kill(ng.pid, 'SIGHUP');
    // ask many times: the kernel spreads the queries over both workers
    expect(await until(async () => {
      const rs = await Promise.all(Array.from({ length: 8 }, () => query({ port: ng.dnsPort, name: 'blocked-two.example' })));
      return rs.every((r) => r.rcode === 'NXDOMAIN');
    }, 15_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(downloads).toBe(2);
  });

  it('stops cleanly on SIGTERM, workers first', async () => {
    // 64 clients, each from its own source port, before the stop: on the batched path each
    // worker has its own SO_REUSEPORT socket and the kernel picks one by a hash of the 4-tuple
    const clients = 64;
    for (let i = 0; i < clients; i += 16) {
      await Promise.all(Array.from({ length: 16 }, (_, j) => askFromNewPort(ng.dnsPort, RECORDS.a.name, i + j + 1)));
    }
    const workers = children(ng.pid);
    expect(await ng.stop()).toBe(0);
    for (const w of workers) expect(() => process.kill(w, 0)).toThrow();
    const records = ng.logRecords();
    if (records.find((l) => l.stage === 'udp')?.path !== 'batched') return;
    // each worker says at close what its socket read: both read some of the 64 (one worker
    // with all of them would mean the sockets were not in one reuseport group: odds 2^-63)
    const closed = records.filter((l) => l.msg === 'udp: socket closed');
    expect(closed).toHaveLength(2);
    expect(closed.map((l) => l.pid).sort()).toEqual([...workers].sort());
    const read = closed.map((l) => Number(l.datagrams));
    for (const n of read) expect(n).toBeGreaterThan(0);
    expect(read.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(clients);
  });
});
