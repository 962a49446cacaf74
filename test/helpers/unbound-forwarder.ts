import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { buildQuery } from './dns-message.js';
import { udpExchange } from './raw-dns.js';
import { signalGroup, trackChild, untrackChild } from './test-cleanup.js';

// Unbound as a plain caching forwarder (no validation, as the bench runs it) in front of
// an upstream on loopback: the reference a recursive service's answers are compared with.

export interface UnboundForwarder {
  port: number;
  stop(): Promise<void>;
  logs(): string;
}

export async function startUnboundForwarder(upstreamPort: number, zone: string): Promise<UnboundForwarder> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-unbound-'));
  const conf = join(dir, 'unbound.conf');
  writeFileSync(conf, `server:
  interface: 127.0.0.1@${port}
  port: ${port}
  do-ip6: no
  num-threads: 1
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  module-config: "iterator"
  do-not-query-localhost: no
  local-zone: "test." nodefault
  access-control: 127.0.0.0/8 allow
forward-zone:
  name: "${zone}"
  forward-addr: 127.0.0.1@${upstreamPort}
remote-control:
  control-enable: no
`);
  const c = spawn('unbound', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  trackChild(c);
  let output = '';
  c.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  c.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  let gone = false;
  const exited = new Promise<void>((resolve) => c.once('exit', () => { gone = true; untrackChild(c); resolve(); }));
  c.once('error', (e) => { output += `spawn: ${e.message}`; });
  const stop = async () => {
    if (!gone) {
      c.kill('SIGTERM');
      const t = setTimeout(() => signalGroup(c, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // a STATUS query: any reply shows it listens, and it caches nothing
  const probe = buildQuery({ name: '.', type: 6, opcode: 2 });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (gone) throw new Error(`unbound: exited during start-up\n${output}`);
    if ((await udpExchange(port, probe, { timeoutMs: 200 })) !== null) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`unbound: not answering on 127.0.0.1:${port} within 10 s\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop, logs: () => output };
}
