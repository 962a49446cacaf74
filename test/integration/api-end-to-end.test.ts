import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// The admin API end to end, over real DNS: the built server as a process, a real
// authoritative upstream on loopback, HTTP requests as the console makes them, and kdig as the
// DNS client. A harmful site reported through the public channel and accepted by an admin,
// and a policy change through the API, are each blocked for kdig within a second, and a restart
// on the same data keeps both.

const PASSWORD = 'end-to-end-owner-password';
const reported = `reported.${RECORDS.wildcard.suffix}`;
const changed = `changed.${RECORDS.wildcard.suffix}`;

let upstream: AuthUpstream;
let ng: Nestguard;
let base = '';
let session: { cookie: string; csrf: string };

async function http(method: string, path: string, body?: unknown, auth = true): Promise<{ status: number; json: () => Promise<any> }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth) Object.assign(headers, { cookie: session.cookie, 'x-csrf-token': session.csrf });
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: () => r.json() };
}

async function loginOwner(): Promise<void> {
  const r = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  expect(r.status).toBe(200);
  session = { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
}

/** Polls with kdig until `name` gets `rcode`; returns how long that took after `since`. */
async function until(name: string, rcode: string, since: number, limitMs = 1000): Promise<number> {
  for (;;) {
    const r = await query({ port: ng.dnsPort, name });
    const took = performance.now() - since;
    if (r.rcode === rcode) return took;
    if (took > limitMs) throw new Error(`${name}: still ${r.rcode} after ${Math.round(took)} ms`);
  }
}

async function start(dataDir?: string): Promise<void> {
  // no networks or policies in the file: the first-start "local" network and "default" policy
  // are the API's to edit
  ng = await startNestguard({
    upstreamPort: upstream.port,
    dataDir,
    waitForHttp: true,
    config: { policies: [], networks: [] },
    env: { NESTGUARD_ADMIN_PASSWORD: PASSWORD },
  });
  base = `http://127.0.0.1:${ng.httpPort}`;
  await loginOwner();
}

beforeAll(async () => {
  upstream = await startAuthUpstream();
  await start();
});
afterAll(async () => {
  await ng?.stop();
  await upstream?.stop();
});

describe('admin API over real DNS', () => {
  let policyId = 0;

  it('a reported harmful site, accepted by an admin, is blocked for kdig within a second', async () => {
    expect((await query({ port: ng.dnsPort, name: reported })).answer[0]?.data).toBe(RECORDS.wildcard.ipv4);
    const sent = await http('POST', '/api/reports', { domain: reported, kind: 'harmful', message: 'a child saw this' }, false);
    expect(sent.status).toBe(202);
    const queue = await (await http('GET', '/api/reports?status=open')).json();
    const report = queue.reports.find((r: { domain: string }) => r.domain === reported);
    expect(report.network).toBe('local');
    policyId = (await (await http('GET', '/api/policies')).json()).find((p: { name: string }) => p.name === 'default').id;
    const t0 = performance.now();
    const accepted = await http('POST', `/api/reports/${report.id}/accept`, { policy: policyId });
    expect(accepted.status).toBe(200);
    expect(await until(reported, 'NXDOMAIN', t0)).toBeLessThan(1000);
  });

  it('a policy change through the API is blocked for kdig within a second', async () => {
    expect((await query({ port: ng.dnsPort, name: changed })).rcode).toBe('NOERROR');
    const t0 = performance.now();
    const r = await http('POST', `/api/policies/${policyId}/rules`, { action: 'deny', rules: changed });
    expect(r.status).toBe(200);
    expect(await until(changed, 'NXDOMAIN', t0)).toBeLessThan(1000);
    expect((await query({ port: ng.dnsPort, name: `other.${RECORDS.wildcard.suffix}` })).rcode).toBe('NOERROR');
  });

  it('a restart on the same data keeps both', async () => {
    const dataDir = ng.dataDir;
    expect(await ng.stop()).toBe(0);
    await start(dataDir);
    expect((await query({ port: ng.dnsPort, name: reported })).rcode).toBe('NXDOMAIN');
    expect((await query({ port: ng.dnsPort, name: changed })).rcode).toBe('NXDOMAIN');
    const p = await (await http('GET', `/api/policies/${policyId}`)).json();
    expect(p.deny).toEqual([reported, changed]);
    expect(p.managed).toBe('api');
  });
});
