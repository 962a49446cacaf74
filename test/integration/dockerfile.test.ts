import { execSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { REPO_ROOT, startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { removeOnExit } from '../helpers/test-cleanup.js';

// No Docker engine runs on our machines, so the image is kept honest another way: this test
// reads the Dockerfile and runs what it runs - its build commands in a copy of the build
// context, its CMD with its ENV, its HEALTHCHECK - and checks that what the runtime stage
// copies exists. Only the listen addresses are moved to free loopback ports.

interface Stage { name: string; lines: string[] }

function stages(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const l of joined) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) out.push({ name: from[1] ?? String(out.length), lines: [] });
    else out[out.length - 1]?.lines.push(l);
  }
  return out;
}

function jsonCmd(line: string, keyword: string): string[] {
  const m = new RegExp(`${keyword}\\s+(\\[.*\\])\\s*$`).exec(line);
  if (!m) throw new Error(`Dockerfile: ${keyword} is not in exec (JSON) form: ${line}`);
  return JSON.parse(m[1]) as string[];
}

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const [build, runtime] = stages(dockerfile);
let context: string;
let upstream: AuthUpstream;
let ng: Nestguard | undefined;

function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const l of runtime.lines.filter((x) => x.startsWith('ENV '))) {
    for (const m of l.slice(4).matchAll(/(\w+)=(\S+)/g)) env[m[1]] = m[2];
  }
  return env;
}

/** the image's ENV, less what the harness moves to free loopback ports and a temp dir */
function imageEnvWithoutListeners(): Record<string, string> {
  const { NESTGUARD_DNS_LISTEN: _d, NESTGUARD_HTTP_LISTEN: _h, NESTGUARD_DATA_DIR: _x, ...rest } = imageEnv();
  return rest;
}

beforeAll(async () => {
  // the build context: what the build stage COPYs (node_modules stands in for `npm ci`,
  // which setup already ran from the same lockfile)
  context = mkdtempSync(join(tmpdir(), 'nestguard-image-'));
  removeOnExit(context);
  const copies = build.lines.filter((l) => l.startsWith('COPY ')).flatMap((l) => l.split(/\s+/).slice(1, -1));
  // node_modules may be a link to a shared tree: copy what it points to, so the prune below
  // never reaches the original
  for (const src of [...copies, 'node_modules']) cpSync(realpathSync(join(REPO_ROOT, src)), join(context, src), { recursive: true });
  for (const l of build.lines.filter((x) => x.startsWith('RUN ') && !x.includes('npm ci'))) {
    execSync(l.slice(4), { cwd: context, stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } });
  }
  upstream = await startAuthUpstream();
}, 180_000);

afterAll(async () => {
  await ng?.stop();
  await upstream?.stop();
});

describe('Dockerfile', () => {
  it('builds in two stages and runs as a non-root user with a healthcheck', () => {
    expect(build.lines.some((l) => /npm ci/.test(l))).toBe(true);
    expect(runtime.lines).toContain('USER node');
    expect(runtime.lines.some((l) => l.startsWith('HEALTHCHECK'))).toBe(true);
    expect(runtime.lines.some((l) => l.includes('cap_net_bind_service'))).toBe(true);
    const env = imageEnv();
    expect(env.NESTGUARD_DNS_LISTEN).toBe('0.0.0.0:53,[::]:53');
    expect(env.NESTGUARD_DATA_DIR).toBe('/var/lib/nestguard');
  });

  it('builds and runs on the Node LTS that CI also runs the integration tests on', () => {
    const images = dockerfile.split('\n').flatMap((l) => /^FROM\s+(\S+)/i.exec(l.trim())?.[1] ?? []);
    expect(images).toEqual(['node:24-bookworm', 'node:24-bookworm-slim']);
    // the second integration pass in CI uses that same major version
    const ci = readFileSync(join(REPO_ROOT, 'scripts/ci-node24.sh'), 'utf8');
    expect(ci).toMatch(/NODE24_VERSION:-24\}/);
    expect(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')).toMatch(/^bash scripts\/ci-node24\.sh$/m);
  });

  it('everything the runtime stage copies exists after the build stage, without dev dependencies', () => {
    for (const l of runtime.lines.filter((x) => x.startsWith('COPY --from=build'))) {
      const src = l.split(/\s+/).slice(-2, -1)[0].replace('/app/', '');
      expect(existsSync(join(context, src)), src).toBe(true);
    }
    expect(existsSync(join(context, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(context, 'node_modules/better-sqlite3'))).toBe(true);
  });

  it('its CMD serves DNS with its ENV, and its HEALTHCHECK passes', async () => {
    const cmd = jsonCmd(runtime.lines.find((l) => l.startsWith('CMD '))!, 'CMD');
    expect(cmd).toEqual(['node', 'dist/resolver/src/main.js']);
    ng = await startNestguard({
      upstreamPort: upstream.port,
      waitForHttp: true,
      // the image's own defaults: no config file, the bundled lists, first-start policy
      config: 'log_level: info\n',
      main: join(context, cmd[1]),
      env: imageEnvWithoutListeners(),
    });
    const r = await query({ port: ng.dnsPort, name: RECORDS.a.name });
    expect(r.answer[0]?.data).toBe(RECORDS.a.ipv4);
    // the addon the build stage compiled is the one serving UDP in the image
    expect(ng.logRecords().find((l) => l.stage === 'udp')?.path).toBe(process.env.NESTGUARD_UDP === 'dgram' ? 'dgram' : 'batched');
    // the bundled default set is live in the image: the DoH canary is blocked
    const canary = await query({ port: ng.dnsPort, name: 'use-application-dns.net' });
    expect(canary.rcode).toBe('NXDOMAIN');
    const hc = jsonCmd(runtime.lines.find((l) => l.startsWith('HEALTHCHECK'))!.replace(/^HEALTHCHECK.*?CMD/, 'CMD'), 'CMD');
    const res = spawnSync(hc[0], hc.slice(1), { cwd: context, env: { ...process.env, NESTGUARD_HTTP_LISTEN: `127.0.0.1:${ng.httpPort}` }, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/200 ok/);
  });
});
