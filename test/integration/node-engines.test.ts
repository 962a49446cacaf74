import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { REPO_ROOT, startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// package.json says which Node versions Nestguard runs on; two of its packages declare a
// higher one (cookie 2.0.2 and dns2 3.1.1: Node >= 22), so npm warns EBADENGINE on Node 20.
// These tests run the code paths that use them, on the Node running the tests, so the claim
// is checked on every machine the suite runs on instead of being taken on trust.

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

/** `process.version` inside "^20.19.0 || >=22.12.0" (the only range form package.json uses). */
function allowed(version: string, range: string): boolean {
  const [maj, min] = version.replace(/^v/, '').split('.').map(Number);
  return range.split('||').some((part) => {
    const m = /^\s*(\^|>=)(\d+)\.(\d+)\.\d+\s*$/.exec(part);
    if (!m) throw new Error(`engines: cannot read "${part}"`);
    const [wantMaj, wantMin] = [Number(m[2]), Number(m[3])];
    if (m[1] === '^') return maj === wantMaj && min >= wantMin;
    return maj > wantMaj || (maj === wantMaj && min >= wantMin);
  });
}

const PASSWORD = 'engines-check-password';
let up: AuthUpstream;
let table: TableUpstream;
let ng: Nestguard;

beforeAll(async () => {
  up = await startAuthUpstream();
  table = await startTableUpstream({ 'dns2.example.org': [{ type: 'A', address: '192.0.2.99' }] });
  ng = await startNestguard({ upstreamPort: up.port, waitForHttp: true, env: { NESTGUARD_ADMIN_PASSWORD: PASSWORD } });
});
afterAll(async () => {
  await ng?.stop();
  await table?.close();
  await up?.stop();
});

describe(`on this Node (${process.version})`, () => {
  it('the engines range of package.json allows it, and reads as the README says', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    expect(allowed(process.version, pkg.engines.node)).toBe(true);
    // require(esm), which light-my-request (fastify.inject) needs to load cookie 2, is on
    expect(process.features.require_module).toBe(true);
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('Node.js 20.19 or later');
  });

  it('cookie 2.0.2, through @fastify/cookie: the console session cookie is set and read back over real HTTP', async () => {
    const base = `http://127.0.0.1:${ng.httpPort}`;
    const login = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^nestguard_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict$/);
    const session = await fetch(`${base}/api/session`, { headers: { cookie: `other=a%20b; ${setCookie.split(';')[0]}; last=1` } });
    expect(session.status).toBe(200);
    expect((await session.json()) as { user: { username: string } }).toMatchObject({ user: { username: 'admin' } });
  });

  it('dns2 3.1.1 (tests only): its packets encode and parse, its UDP server answers kdig', async () => {
    const { Packet } = dns2;
    const p = new Packet();
    p.header.id = 0x1234;
    p.questions.push({ name: 'example.org', type: Packet.TYPE.A, class: Packet.CLASS.IN });
    const back = Packet.parse(p.toBuffer());
    expect(back.header.id).toBe(0x1234);
    expect(back.questions[0]).toMatchObject({ name: 'example.org', type: Packet.TYPE.A });
    const r = await query({ port: table.port, name: 'dns2.example.org' });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer[0]?.data).toBe('192.0.2.99');
  });
});
