import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { buildQuery } from './dns-message.js';
import { udpExchange } from './raw-dns.js';
import { TYPE_SOA } from '../../resolver/src/dns/wire.js';
import { signalGroup, trackChild, untrackChild } from './test-cleanup.js';

// A real authoritative server (NSD) for the test zone: the resolver is tested against the same
// kind of upstream it meets in production, with byte-exact answers we did not write ourselves.

export const ZONE = 'upstream.test';

/** Deterministic filler so signatures and keys look like base64 of the right size. */
function fakeBase64(bytes: number, seed: number): string {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + seed * 17 + 7) & 0xff;
  return b.toString('base64');
}

/** One 200-character string per record; 8 of them put the RRset well past 1232 bytes. */
export const BIG_TXT_STRINGS = Array.from({ length: 8 }, (_, i) => `chunk${i}-`.padEnd(200, String.fromCharCode(97 + i)));

/** What the zone holds, for assertions (names without the trailing dot). */
export const RECORDS = {
  a: { name: `a.${ZONE}`, ipv4: '192.0.2.1', ttl: 300 },
  aaaa: { name: `v6.${ZONE}`, ipv6: '2001:db8::1', ttl: 300 },
  dual: { name: `www.${ZONE}`, ipv4: '192.0.2.10', ipv6: '2001:db8::10' },
  /** c1 -> c2 -> target (A) */
  cname: { chain: [`c1.${ZONE}`, `c2.${ZONE}`, `target.${ZONE}`], ipv4: '192.0.2.3' },
  mx: { name: `mx.${ZONE}`, preference: 10, exchange: `mail.${ZONE}`, exchangeIpv4: '192.0.2.25' },
  txt: { name: `txt.${ZONE}`, strings: ['first string', 'second string', 'third'] },
  bigTxt: { name: `bigtxt.${ZONE}`, strings: BIG_TXT_STRINGS },
  srv: { name: `_sip._tcp.${ZONE}`, priority: 10, weight: 60, port: 5060, target: `sip.${ZONE}` },
  https: { name: `https.${ZONE}`, data: '1 . alpn=h2,h3 port=443 ipv4hint=192.0.2.5' },
  unknown: { name: `unk.${ZONE}`, type: 'TYPE65280', typeCode: 65280, rdataHex: '0A0B0C0D' },
  /** has an A record only, so AAAA is NODATA */
  onlyA: { name: `onlya.${ZONE}`, ipv4: '192.0.2.4' },
  /** TTL 2 s each: stale-serving and expiry tests, one name per test so they do not interfere */
  short: { names: [1, 2, 3, 4, 5, 6].map((i) => `short${i}.${ZONE}`), ttl: 2, ipv4: '192.0.2.6' },
  /** A with an RRSIG; the apex has a DNSKEY with its RRSIG */
  signed: { name: `a.${ZONE}` },
  /** any name under it answers (an endless supply of never-seen names) */
  wildcard: { suffix: `wild.${ZONE}`, ipv4: '192.0.2.99' },
  /** never exists: NXDOMAIN with the SOA in authority */
  missing: { name: `nope.${ZONE}` },
  soa: { mname: `ns1.${ZONE}`, minimum: 60 },
} as const;

function zoneText(extra: readonly string[]): string {
  const sig = (covered: string, labels: number, seed: number) =>
    `RRSIG ${covered} 13 ${labels} 300 20350101000000 20240101000000 12345 ${ZONE}. ${fakeBase64(64, seed)}`;
  const R = RECORDS;
  return [
    `$ORIGIN ${ZONE}.`,
    '$TTL 300',
    `@ IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 900 604800 ${R.soa.minimum}`,
    `@ IN NS ns1.${ZONE}.`,
    `@ IN DNSKEY 257 3 13 ${fakeBase64(64, 1)}`,
    `@ IN ${sig('DNSKEY', 2, 2)}`,
    'ns1 IN A 127.0.0.1',
    `a IN A ${R.a.ipv4}`,
    `a IN ${sig('A', 3, 3)}`,
    `v6 IN AAAA ${R.aaaa.ipv6}`,
    `www IN A ${R.dual.ipv4}`,
    `www IN AAAA ${R.dual.ipv6}`,
    `c1 IN CNAME c2.${ZONE}.`,
    `c2 IN CNAME target.${ZONE}.`,
    `target IN A ${R.cname.ipv4}`,
    `mx IN MX ${R.mx.preference} ${R.mx.exchange}.`,
    `mail IN A ${R.mx.exchangeIpv4}`,
    `txt IN TXT ${R.txt.strings.map((s) => `"${s}"`).join(' ')}`,
    ...BIG_TXT_STRINGS.map((s) => `bigtxt IN TXT "${s}"`),
    `_sip._tcp IN SRV ${R.srv.priority} ${R.srv.weight} ${R.srv.port} ${R.srv.target}.`,
    `sip IN A 192.0.2.50`,
    `https IN HTTPS ${R.https.data}`,
    `unk IN TYPE65280 \\# 4 ${R.unknown.rdataHex.toLowerCase()}`,
    `onlya IN A ${R.onlyA.ipv4}`,
    ...R.short.names.map((n) => `${n}. ${R.short.ttl} IN A ${R.short.ipv4}`),
    `*.wild IN A ${R.wildcard.ipv4}`,
    ...extra,
    '',
  ].join('\n');
}

export interface AuthUpstreamOptions {
  /** more zone-file lines (relative to $ORIGIN upstream.test.) */
  extraRecords?: string[];
  /** bind this port instead of a free one (to come back on the same port after stop) */
  port?: number;
}

export interface AuthUpstream {
  port: number;
  /** SIGTERM and wait for exit: the port then refuses (ICMP unreachable / RST) */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit */
  kill(): Promise<void>;
  /** starts NSD again on the same port with the same zone (after stop or kill) */
  start(): Promise<void>;
  /** SIGSTOP: the port stays bound but nothing answers (a black hole, timeouts) */
  pause(): void;
  resume(): void;
  /** NSD's own output, for failure messages */
  logs(): string;
}

async function answersSoa(port: number, timeoutMs: number): Promise<boolean> {
  const reply = await udpExchange(port, buildQuery({ name: ZONE, type: TYPE_SOA }), { timeoutMs });
  return reply !== null && reply.length >= 12 && (reply[3] & 0xf) === 0;
}

/** Starts NSD serving upstream.test. on 127.0.0.1:<free port>, resolved once it answers. */
export async function startAuthUpstream(o: AuthUpstreamOptions = {}): Promise<AuthUpstream> {
  const port = o.port ?? await freePort();
  let dir = '';
  // NSD keeps state files next to its config; a fresh dir per launch, removed when it stops
  const writeFiles = (): string => {
    dir = mkdtempSync(join(tmpdir(), 'nestguard-nsd-'));
    const zoneFile = join(dir, `${ZONE}.zone`);
    writeFileSync(zoneFile, zoneText(o.extraRecords ?? []));
    const conf = join(dir, 'nsd.conf');
    writeFileSync(conf, `server:
  ip-address: 127.0.0.1@${port}
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  database: ""
  zonelistfile: "${dir}/zone.list"
  xfrdfile: "${dir}/xfrd.state"
  xfrdir: "${dir}"
  pidfile: "${dir}/nsd.pid"
  logfile: "${dir}/nsd.log"
  verbosity: 1
  hide-version: yes
  # ANY gets NSD's usual one-RRset answer rather than REFUSED/TC
  refuse-any: no
  # as large as the client asks, so a resolver capping its UDP answers must do it itself
  ipv4-edns-size: 4096
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
  zonefiles-write: 0
remote-control:
  control-enable: no
zone:
  name: "${ZONE}"
  zonefile: "${zoneFile}"
`);
    return conf;
  };

  let child: ChildProcess | null = null;
  let output = '';
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const conf = writeFiles();
    // its own process group: NSD forks its serving process, and pause/kill must reach it
    const c = spawn('nsd', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = c;
    trackChild(c);
    c.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    c.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    let gone = false;
    exited = new Promise((resolve) => c.once('exit', () => { gone = true; untrackChild(c); resolve(); }));
    const spawnError = new Promise<never>((_, reject) => c.once('error', (e) => reject(new Error(`auth-upstream: cannot start nsd: ${e.message}`))));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (gone) throw new Error(`auth-upstream: nsd exited during start-up\n${output}`);
      if (await Promise.race([answersSoa(port, 200), spawnError])) return;
      if (Date.now() > deadline) {
        signalGroup(c, 'SIGKILL');
        throw new Error(`auth-upstream: nsd did not answer on 127.0.0.1:${port} within 10 s\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const signalAndWait = async (sig: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    signalGroup(c, 'SIGCONT'); // a paused process would never act on SIGTERM
    if (sig === 'SIGKILL') signalGroup(c, sig); else c.kill(sig);
    await exited;
    child = null;
    rmSync(dir, { recursive: true, force: true });
  };

  await launch();
  return {
    port,
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
    async start() {
      await signalAndWait('SIGTERM');
      await launch();
    },
    pause: () => { if (child) signalGroup(child, 'SIGSTOP'); },
    resume: () => { if (child) signalGroup(child, 'SIGCONT'); },
    logs: () => output,
  };
}
