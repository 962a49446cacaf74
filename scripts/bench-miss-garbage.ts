import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { Session } from 'node:inspector';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { stringify as toYaml } from 'yaml';
import { startNestguard } from '../resolver/src/app.js';
import { loadConfig } from '../resolver/src/config/load-config.js';
import { createLogger } from '../resolver/src/logger.js';

// Bytes the resolver allocates per cache miss: what makes V8 grow its heap under a flood of
// distinct names (the memory bench shows the RSS; this shows the cause). The resolver runs in
// this thread, a fake upstream and the client flood in a worker thread: another isolate, so
// their allocations do not count. The young generation is made larger than the measured
// window, so no collection runs inside it and the growth of the heap (and of ArrayBuffer
// memory, which only a collection frees) is exactly what the misses allocated; a full
// collection afterwards separates what the cache keeps from the garbage.
//
//   node scripts/run-built.mjs scripts/bench-miss-garbage [--names 30000] [--warm 20000] [--cname] [--udp batched|dgram] [--profile]
//
// --profile also lists the functions that allocated most inside the window (V8's sampling
// heap profiler; nothing is collected in the window, so every sample is still there).

const SEMI_SPACE_MB = 1024;

interface LoadJob {
  resolverPort: number;
  count: number;
  prefix: string;
  /** queries in flight at once */
  window: number;
}

interface Args {
  names: number;
  warm: number;
  cname: boolean;
  udp: string;
  profile: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { names: 30_000, warm: 20_000, cname: false, udp: 'auto', profile: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--names') a.names = Number(argv[++i]);
    else if (k === '--warm') a.warm = Number(argv[++i]);
    else if (k === '--cname') a.cname = true;
    else if (k === '--udp') a.udp = argv[++i];
    else if (k === '--profile') a.profile = true;
    else throw new Error(`bench-miss-garbage: unknown argument ${k}`);
  }
  return a;
}

// ---- worker thread: the upstream and the clients -------------------------------------

/** An answer to `q` (Nestguard's upstream query: one question, an OPT): one A record, or a CNAME and the target's A. */
function upstreamAnswer(q: Buffer, cname: boolean): Buffer {
  let off = 12;
  while (q[off] !== 0) off += q[off] + 1;
  const qEnd = off + 5;
  const parts: Buffer[] = [Buffer.from(q.subarray(0, qEnd))];
  const h = parts[0];
  h[2] |= 0x80;
  h[3] = 0x80;
  let an = 1;
  if (cname) {
    const target = Buffer.from([1, 116, 7, ...Buffer.from('example'), 3, ...Buffer.from('net'), 0]);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(5, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(300, 6);
    rr.writeUInt16BE(target.length, 10);
    const a = Buffer.alloc(16);
    a.writeUInt16BE(0xc000 | qEnd + 12, 0);
    a.writeUInt16BE(1, 2);
    a.writeUInt16BE(1, 4);
    a.writeUInt32BE(300, 6);
    a.writeUInt16BE(4, 10);
    a.set([192, 0, 2, 7], 12);
    parts.push(rr, target, a);
    an = 2;
  } else {
    const a = Buffer.alloc(16);
    a.writeUInt16BE(0xc00c, 0);
    a.writeUInt16BE(1, 2);
    a.writeUInt16BE(1, 4);
    a.writeUInt32BE(300, 6);
    a.writeUInt16BE(4, 10);
    a.set([192, 0, 2, 7], 12);
    parts.push(a);
  }
  // an OPT, as upstreams answer EDNS queries
  parts.push(Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]));
  const out = Buffer.concat(parts);
  out.writeUInt16BE(an, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(1, 10);
  return out;
}

/** A client query for `name`, A, with an EDNS OPT (1232 bytes), as current stub resolvers send. */
function clientQuery(id: number, name: string): Buffer {
  const labels = name.split('.');
  const parts: number[] = [id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1];
  for (const l of labels) parts.push(l.length, ...Buffer.from(l));
  parts.push(0, 0, 1, 0, 1);
  parts.push(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0);
  return Buffer.from(parts);
}

async function runLoad(): Promise<void> {
  const { cname } = workerData as { cname: boolean };
  const up = dgram.createSocket('udp4');
  up.on('message', (msg, rinfo) => up.send(upstreamAnswer(msg, cname), rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => up.bind(0, '127.0.0.1', resolve));
  const client = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  parentPort!.postMessage({ upstreamPort: up.address().port });
  parentPort!.on('message', (job: LoadJob) => {
    let sent = 0;
    let answered = 0;
    let lost = 0;
    let lastAnswerAt = Date.now();
    const inFlight = new Set<number>();
    const sendNext = () => {
      if (sent === job.count) return;
      const id = sent & 0xffff;
      inFlight.add(id);
      client.send(clientQuery(id, `${job.prefix}${sent}.example.org`), job.resolverPort, '127.0.0.1');
      sent++;
    };
    const finish = () => {
      client.off('message', onAnswer);
      clearInterval(stall);
      parentPort!.postMessage({ answered, lost });
    };
    const onAnswer = (msg: Buffer) => {
      const id = (msg[0] << 8) | msg[1];
      if (!inFlight.delete(id)) return;
      answered++;
      lastAnswerAt = Date.now();
      if (answered + lost === job.count) finish();
      else sendNext();
    };
    // a datagram lost on loopback must not stall the run: after a second without answers,
    // what is in flight counts as lost and the flood goes on
    const stall = setInterval(() => {
      if (Date.now() - lastAnswerAt < 1000) return;
      lost += inFlight.size;
      const n = inFlight.size;
      inFlight.clear();
      lastAnswerAt = Date.now();
      if (answered + lost >= job.count) finish();
      else for (let i = 0; i < n; i++) sendNext();
    }, 250);
    client.on('message', onAnswer);
    for (let i = 0; i < job.window; i++) sendNext();
  });
}

// ---- main thread: the resolver, and the measurement --------------------------------------

interface Snapshot {
  heap: number;
  arrayBuffers: number;
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

/** The allocating functions by bytes sampled, largest first. */
function topAllocators(root: ProfileNode, count: number): string[] {
  const bySite = new Map<string, number>();
  const name = (n: ProfileNode) => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  };
  // a builtin (no script) is named with the function that called it
  const walk = (n: ProfileNode, caller: string) => {
    const here = n.callFrame.url === '' ? `${n.callFrame.functionName || '(native)'} <- ${caller}` : name(n);
    if (n.selfSize > 0) bySite.set(here, (bySite.get(here) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c, n.callFrame.url === '' ? caller : here);
  };
  walk(root, '(root)');
  const total = [...bySite.values()].reduce((a, b) => a + b, 0);
  return [...bySite].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([site, bytes]) => `${(100 * bytes / total).toFixed(1).padStart(5)}%  ${site}`);
}

function snapshot(): Snapshot {
  let heap = 0;
  for (const s of v8.getHeapSpaceStatistics()) heap += s.space_used_size;
  return { heap, arrayBuffers: process.memoryUsage().arrayBuffers };
}

async function measure(args: Args): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-miss-garbage-'));
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { cname: args.cname } });
  const next = () => new Promise<Record<string, number>>((resolve) => worker.once('message', resolve));
  const { upstreamPort } = await next();
  const configFile = join(dir, 'nestguard.yaml');
  writeFileSync(configFile, toYaml({
    log_level: 'warn',
    data_dir: join(dir, 'data'),
    dns: { listen: ['127.0.0.1:0'], udp: args.udp },
    upstreams: [`udp://127.0.0.1:${upstreamPort}`],
    // a cache large enough to keep every name: the measurement is of the miss path, not evictions
    cache: { max_bytes: 1024 * 1024 * 1024, prefetch: false },
    lists: { bundled: false },
    policies: [{ name: 'open' }],
    networks: [{ name: 'lo', cidrs: ['127.0.0.1/32'], policy: 'open' }],
  }));
  const loaded = loadConfig({ NESTGUARD_CONFIG: configFile }, dir);
  const running = await startNestguard(loaded, createLogger('warn'), { role: 'worker' });
  const udp = running.dns[0] as unknown as { port: number };
  const flood = async (count: number, prefix: string) => {
    worker.postMessage({ resolverPort: udp.port, count, prefix, window: 64 } satisfies LoadJob);
    return next();
  };
  let collections = 0;
  const obs = new PerformanceObserver((list) => { collections += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  try {
    // warm: compiled code, the Buffer pool, lru-cache's arrays; not measured
    await flood(args.warm, 'w');
    gc();
    gc();
    await new Promise((r) => setTimeout(r, 50));
    const session = args.profile ? new Session() : null;
    if (session !== null) {
      session.connect();
      await post(session, 'HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }
    const before = snapshot();
    const gcBefore = collections;
    const r = await flood(args.names, 'm');
    const after = snapshot();
    if (session !== null) {
      const { profile } = await post<{ profile: { head: ProfileNode } }>(session, 'HeapProfiler.stopSampling');
      session.disconnect();
      process.stdout.write(`${topAllocators(profile.head, 30).join('\n')}\n`);
    }
    await new Promise((r) => setTimeout(r, 50));
    const clean = collections === gcBefore;
    gc();
    gc();
    const kept = snapshot();
    const misses = running.cache.stats.misses - args.warm;
    const per = (b: number) => (b / args.names).toFixed(0);
    const row = {
      udp: args.udp,
      answers: args.cname ? 'CNAME + A' : 'A',
      names: args.names,
      answered: r.answered,
      lost: r.lost,
      misses,
      heapAllocatedPerMiss: per(after.heap - before.heap),
      arrayBufferBytesPerMiss: per(after.arrayBuffers - before.arrayBuffers),
      heapKeptPerMiss: per(kept.heap - before.heap),
      arrayBufferKeptPerMiss: per(kept.arrayBuffers - before.arrayBuffers),
      garbagePerMiss: per(after.heap - kept.heap + after.arrayBuffers - kept.arrayBuffers),
      collectionsInWindow: clean ? 0 : collections - gcBefore,
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
    if (!clean) process.stderr.write('bench-miss-garbage: a collection ran inside the window; the figures undercount (fewer --names)\n');
  } finally {
    obs.disconnect();
    await worker.terminate();
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread) {
  await runLoad();
} else if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  // the measurement needs gc() and a young generation larger than the window: run again so
  const r = spawnSync(process.execPath, [
    '--expose-gc', `--min-semi-space-size=${SEMI_SPACE_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`,
    fileURLToPath(import.meta.url), ...process.argv.slice(2),
  ], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else {
  await measure(parseArgs(process.argv.slice(2)));
}
