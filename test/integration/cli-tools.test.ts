import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { REPO_ROOT, startNestguard } from '../helpers/nestguard.js';
import { removeOnExit } from '../helpers/test-cleanup.js';

// The operator's tools as they are run, through npm: compiled once, not on every call, each
// with a --help that names its options and an example that works on a fresh install.

interface Run { code: number; stdout: string; stderr: string; ms: number }

function npmRun(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** The command lines under "example" in a --help text, without `npm run`. */
function examples(help: string): string[][] {
  const at = help.indexOf('\nexample');
  return help.slice(at).split('\n').filter((l) => l.startsWith('  npm run ')).map((l) => l.trim().split(/\s+/).slice(2));
}

let up: AuthUpstream;
beforeAll(async () => { up = await startAuthUpstream(); });
afterAll(async () => { await up?.stop(); });

describe('CLI tools', () => {
  for (const tool of ['lists', 'report', 'admin']) {
    it(`npm run ${tool} -- --help answers at once, without compiling`, async () => {
      // npm test has just built; a second build here would take several seconds
      const r = await npmRun([tool, '--', '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/compiling/);
      expect(r.stdout).toMatch(new RegExp(`^usage: npm run ${tool} -- `, 'm'));
      expect(r.stdout).toMatch(/-h, --help/);
      expect(examples(r.stdout).length).toBeGreaterThan(0);
      expect(r.ms).toBeLessThan(6000);
    });
  }

  it("the lists example works as printed", async () => {
    const help = (await npmRun(['lists', '--', '--help'])).stdout;
    for (const ex of examples(help)) {
      const r = await npmRun(ex);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^format: {6}domains \(detected\)$/m);
      expect(r.stdout).not.toMatch(/--expose-gc/);
    }
  });

  it('the admin example works as printed on a fresh install', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nestguard-fresh-'));
    removeOnExit(dataDir);
    const help = (await npmRun(['admin', '--', '--help'])).stdout;
    for (const ex of examples(help)) {
      const r = await npmRun(ex, { NESTGUARD_DATA_DIR: dataDir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^no admins yet/);
    }
  });

  it('the report example works as printed on a fresh install (embedded defaults, after one start)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nestguard-fresh-'));
    removeOnExit(dataDir);
    const ng = await startNestguard({ config: '', dataDir, upstreamPort: up.port, waitForHttp: true });
    expect((await query({ port: ng.dnsPort, name: 'pornhub.com' })).rcode).toBe('NXDOMAIN');
    expect(await ng.stop()).toBe(0);
    const help = (await npmRun(['report', '--', '--help'])).stdout;
    const out = join(dataDir, 'out');
    for (const ex of examples(help)) {
      const args = ex.map((a) => (a === 'report.html' ? `${out}.html` : a));
      const r = await npmRun(args, { NESTGUARD_DATA_DIR: dataDir });
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(`${out}.html`)).toBe(true);
      expect(readFileSync(`${out}.html`, 'utf8')).toContain('Networks: local');
    }
  });
});
