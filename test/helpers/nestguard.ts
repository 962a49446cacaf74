import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { freePort } from './ports.js';
import { buildQuery } from './dns-message.js';
import { udpExchange } from './raw-dns.js';
import { removeOnExit, signalGroup, trackChild, untrackChild } from './test-cleanup.js';

// The resolver under test runs as the real built process, configured the way operators do it
// (a YAML file plus NESTGUARD_* variables), so integration tests cover start-up, config
// loading, signals and logging exactly as shipped.

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN_JS = join(REPO_ROOT, 'dist/resolver/src/main.js');

/** The baseline test config: no bundled lists, one open policy for both loopbacks. */
export const DEFAULT_TEST_CONFIG = {
  log_level: 'info',
  upstream: { try_timeout_ms: 500, resolve_timeout_ms: 1500 },
  cache: { stale_window_s: 3600, prefetch: true },
  lists: { bundled: false },
  policies: [{ name: 'open' }],
  networks: [{ name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'open' }],
};

export interface NestguardOptions {
  /**
   * An object is merged key by key (top level only) over DEFAULT_TEST_CONFIG, so a test names
   * only what it changes; a string is written verbatim as the config file.
   */
  config?: Record<string, unknown> | string;
  /** extra environment; wins over the NESTGUARD_* variables the harness sets */
  env?: Record<string, string>;
  /** NSD (or any server) on 127.0.0.1 to use as the upstream; or set NESTGUARD_UPSTREAMS in env ('' = the file's) */
  upstreamPort?: number;
  /** also listen on [::1] with the same port (default true) */
  ipv6?: boolean;
  /** listen on this IPv4 address instead of 127.0.0.1, e.g. the wildcard 0.0.0.0 */
  listenHost?: string;
  /** reuse a data dir (e.g. to restart on the same database); by default a fresh temp dir, kept until the test process exits */
  dataDir?: string;
  /** give up on start-up after this long (default 20 s) */
  readyTimeoutMs?: number;
  /** also wait until the HTTP port accepts connections (default false) */
  waitForHttp?: boolean;
  /** the server's entry file (default: this checkout's dist/resolver/src/main.js) */
  main?: string;
}

export interface Nestguard {
  dnsPort: number;
  httpPort: number;
  dataDir: string;
  configFile: string;
  pid: number;
  /** stdout and stderr so far, interleaved in arrival order */
  logs(): string;
  stdout(): string;
  stderr(): string;
  /** the JSON log lines of stdout parsed (non-JSON lines skipped) */
  logRecords(): Record<string, unknown>[];
  /** SIGTERM, wait for exit (SIGKILL after `graceMs`, default 10 s); the exit code, or null if it died of a signal */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL and wait */
  kill(): Promise<void>;
  /** resolves when the process has exited (for whatever reason) */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts `node dist/resolver/src/main.js` on free loopback ports and resolves once it answers
 * a DNS query over UDP. The readiness probe is a STATUS-opcode query: any reply (NOTIMP) shows
 * the listener works, and it touches neither the cache, the upstream nor the statistics.
 */
export async function startNestguard(o: NestguardOptions = {}): Promise<Nestguard> {
  const main = o.main ?? MAIN_JS;
  if (!existsSync(main)) {
    throw new Error(`nestguard: ${main} is missing; build first with \`npx tsc -p tsconfig.json\` (npm test does)`);
  }
  const ipv6 = o.ipv6 ?? true;
  const dnsPort = await freePort([o.listenHost ?? '127.0.0.1', ...(ipv6 ? ['::1'] : [])]);
  const httpPort = await freePort();
  let dataDir = o.dataDir;
  if (dataDir === undefined) {
    dataDir = mkdtempSync(join(tmpdir(), 'nestguard-data-'));
    removeOnExit(dataDir);
  }
  const confDir = mkdtempSync(join(tmpdir(), 'nestguard-conf-'));
  const configFile = join(confDir, 'nestguard.yaml');
  const config = typeof o.config === 'string' ? o.config : toYaml({ ...DEFAULT_TEST_CONFIG, ...(o.config ?? {}) });
  writeFileSync(configFile, config);

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    NESTGUARD_CONFIG: configFile,
    NESTGUARD_DATA_DIR: dataDir,
    NESTGUARD_DNS_LISTEN: `${o.listenHost ?? '127.0.0.1'}:${dnsPort}${ipv6 ? `,[::1]:${dnsPort}` : ''}`,
    NESTGUARD_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    ...(o.upstreamPort !== undefined ? { NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${o.upstreamPort}` } : {}),
    // the UDP path under test: CI runs the integration suite once per path
    ...(process.env.NESTGUARD_UDP ? { NESTGUARD_UDP: process.env.NESTGUARD_UDP } : {}),
    ...(o.env ?? {}),
  };
  // an empty NESTGUARD_UPSTREAMS leaves the upstreams to the config file (reload tests change them there)
  if (env.NESTGUARD_UPSTREAMS === undefined) throw new Error('nestguard: give upstreamPort or env.NESTGUARD_UPSTREAMS (there is no internet here)');

  // its own process group, so a clustered server's workers are signalled and reaped with it
  const child = spawn(process.execPath, [main], { cwd: resolve(dirname(main), '../../..'), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  trackChild(child);
  let all = '';
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { const s = d.toString(); out += s; all += s; });
  child.stderr!.on('data', (d: Buffer) => { const s = d.toString(); err += s; all += s; });
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' rather than 'exit': the pipes are drained, so logs() holds the last lines
    child.once('close', (code, signal) => { gone = true; untrackChild(child); resolve({ code, signal }); });
  });
  let spawnError: Error | null = null;
  child.once('error', (e) => { spawnError = e; });
  const cleanup = () => rmSync(confDir, { recursive: true, force: true });
  const killNow = async () => {
    signalGroup(child, 'SIGKILL');
    await exited;
  };

  const readyTimeout = o.readyTimeoutMs ?? 20_000;
  const deadline = Date.now() + readyTimeout;
  const probe = buildQuery({ name: '.', type: 6, opcode: 2, rd: false });
  for (;;) {
    if (spawnError) { cleanup(); throw new Error(`nestguard: cannot spawn: ${(spawnError as Error).message}`); }
    if (gone) {
      cleanup();
      throw new Error(`nestguard: exited during start-up (code ${child.exitCode}, signal ${child.signalCode})\n--- output ---\n${all}`);
    }
    const dnsUp = (await udpExchange(dnsPort, probe, { timeoutMs: 150 })) !== null;
    if (dnsUp && (!o.waitForHttp || (await canConnect(httpPort)))) break;
    if (Date.now() > deadline) {
      await killNow();
      cleanup();
      throw new Error(`nestguard: not answering DNS on 127.0.0.1:${dnsPort}${o.waitForHttp ? ` / HTTP on ${httpPort}` : ''} within ${readyTimeout} ms\n--- output ---\n${all}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    dnsPort,
    httpPort,
    dataDir,
    configFile,
    pid: child.pid!,
    logs: () => all,
    stdout: () => out,
    stderr: () => err,
    logRecords: () => out.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try { return [JSON.parse(line) as Record<string, unknown>]; } catch { return []; }
    }),
    async stop(graceMs = 10_000) {
      if (!gone) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
      const { code } = await exited;
      return code;
    },
    async kill() {
      await killNow();
      cleanup();
    },
    exited,
  };
}
