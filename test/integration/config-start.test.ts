import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDS, startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { REPO_ROOT, startNestguard } from '../helpers/nestguard.js';

// What an operator meets first: the README's configuration reference copied as it is must
// start and answer this machine, and a broken file must be refused whole, before anything
// runs, with every problem in one list.

/** The YAML block under "### File reference" in README.md, exactly as written there. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('### File reference');
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !m) throw new Error('README.md: no yaml block under "### File reference"');
  return m[1];
}

let up: AuthUpstream;
beforeAll(async () => { up = await startAuthUpstream(); });
afterAll(async () => { await up?.stop(); });

describe('configuration at start', () => {
  it("the README's reference, saved as nestguard.yaml in the Nestguard folder, starts and answers this machine", async () => {
    // the README says where the file goes: its relative list path is read from there
    const file = join(REPO_ROOT, `nestguard.readme-test-${process.pid}.yaml`);
    writeFileSync(file, readmeExample());
    try {
      // listen ports and the upstream come from the environment (no fixed ports, no internet here)
      const ng = await startNestguard({ upstreamPort: up.port, env: { NESTGUARD_CONFIG: file } });
      try {
        expect((await query({ port: ng.dnsPort, name: RECORDS.a.name })).answer[0]?.data).toBe(RECORDS.a.ipv4);
        expect((await query({ port: ng.dnsPort, name: 'chat.school-extra.nestguard.test' })).rcode).toBe('NXDOMAIN');
        expect((await query({ port: ng.dnsPort, name: 'bad.example.org' })).rcode).toBe('NXDOMAIN');
      } finally {
        expect(await ng.stop()).toBe(0);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('a broken file is refused whole with exit code 2 before any list or policy loads', async () => {
    const started = startNestguard({
      upstreamPort: up.port,
      config: `
upstream: { tls_ca_file: /nonexistent/ca.pem }
policies: [{ name: p, block: [drugz], block_mode: blackhole }]
networks: [{ name: lo, cidrs: [127.0.0.1/32], policy: p }]
`,
    });
    const err = await started.then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/exited during start-up \(code 2/);
    const out = err!.message;
    expect(out).toContain('config: 3 problem(s)');
    expect(out).toContain('policies[0].block_mode: "blackhole" is not allowed; use one of: nxdomain, null, refused, custom');
    expect(out).toMatch(/policies\[0\]\.block\[0\]: unknown category "drugz" \(did you mean "drugs"\?\)/);
    expect(out).toContain('upstream.tls_ca_file: "/nonexistent/ca.pem" does not exist');
    expect(out).not.toMatch(/lists: |policy: loaded/);
  });

  it('a network naming a policy that exists nowhere stops the start before the lists load', async () => {
    const err = await startNestguard({
      upstreamPort: up.port,
      config: { lists: { bundled: true }, networks: [{ name: 'lo', cidrs: ['127.0.0.1/32'], policy: 'nowhere' }] },
    }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/exited during start-up \(code 2/);
    expect(err!.message).toContain('networks[0].policy: unknown policy "nowhere"');
    expect(err!.message).not.toContain('snapshot live');
  });
});
