import Database from 'better-sqlite3';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAs, login, OWNER_PASSWORD, startApiServer, type ApiServer, type Client } from '../helpers/api-server.js';

// Lists, the public reporting channel and its queue, explain, statistics and the report export,
// the audit log and the settings, over the real app. List sources are served by a real HTTP
// server on loopback.

let s: ApiServer;
let owner: Client;
let netAdmin: Client;
let viewer: Client;
let lists: Server;
let listBase = '';
let listBody = 'gambling-site.example.org\nbad line with spaces here\n';
const catalogDir = mkdtempSync(join(tmpdir(), 'nestguard-catalog-'));
let ids: { schoolA: number; schoolB: number; policyA: number; policyB: number };

beforeAll(async () => {
  lists = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url === '/catalog.txt' ? 'catalogued.example.org\n' : listBody);
  });
  await new Promise<void>((r) => lists.listen(0, '127.0.0.1', () => r()));
  listBase = `http://127.0.0.1:${(lists.address() as { port: number }).port}`;
  writeFileSync(join(catalogDir, 'catalog.yaml'), `sources:\n  - name: mirror-gambling\n    category: gambling\n    url: ${listBase}/catalog.txt\n    format: domains\n    license: CC0\n    homepage: ${listBase}/\n    description: a mirror\n`);
  s = await startApiServer({ api: { catalogDir, reports: { max: 3, windowMs: 60_000 } } });
  owner = await login(s.app, 'admin', OWNER_PASSWORD);
  const id = async (url: string, body: unknown) => (await owner.req('POST', url, body)).json().id as number;
  const policyA = await id('/api/policies', { name: 'policy-a', block: ['gambling'] });
  const policyB = await id('/api/policies', { name: 'policy-b' });
  const schoolA = await id('/api/networks', { name: 'school-a', cidrs: ['10.1.0.0/16'], policy: 'policy-a' });
  const schoolB = await id('/api/networks', { name: 'school-b', cidrs: ['10.2.0.0/16'], policy: 'policy-b' });
  ids = { schoolA, schoolB, policyA, policyB };
  netAdmin = await adminAs(s.app, owner, 'a-admin', 'network-admin', ['school-a']);
  viewer = await adminAs(s.app, owner, 'a-viewer', 'viewer', ['school-a']);
});
afterAll(async () => {
  await s?.close();
  await new Promise((r) => lists?.close(r));
});

const until = async (fn: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await fn()) return; await new Promise((r) => setTimeout(r, 50)); }
  throw new Error('condition not met in time');
};
const audit = (action: string) => {
  const db = new Database(join(s.dataDir, 'nestguard.db'), { readonly: true });
  try { return db.prepare('SELECT count(*) FROM audit_log WHERE action = ?').pluck().get(action) as number; } finally { db.close(); }
};

describe('/api/lists', () => {
  let sourceId = 0;
  it('adds a URL source; it is fetched, compiled and blocks, with its counts and invalid lines', async () => {
    const r = await owner.req('POST', '/api/lists', { name: 'gambling-mirror', category: 'gambling', source: `${listBase}/g.txt`, format: 'domains' });
    expect(r.statusCode).toBe(201);
    sourceId = r.json().id;
    expect(r.json()).toMatchObject({ name: 'gambling-mirror', managed: 'api', enabled: true });
    await until(async () => (await owner.req('GET', `/api/lists/${sourceId}`)).json().live === true);
    const src = (await owner.req('GET', `/api/lists/${sourceId}`)).json();
    expect(src.entries.block).toBe(1);
    expect(src.invalid).toBe(1);
    expect(src.invalid_sample[0]).toMatchObject({ line: 2 });
    expect(s.running.policy.explain('school-a', 'gambling-site.example.org', 1)).toMatchObject({ action: 'block', category: 'gambling' });
    expect(audit('list.create')).toBe(1);
  });

  it('refresh now reports its progress until done, and picks up the new content', async () => {
    listBody = 'gambling-site.example.org\nmore-gambling.example.org\n';
    const r = await owner.req('POST', '/api/lists/refresh', { source: sourceId });
    expect(r.statusCode).toBe(202);
    const job = r.json();
    expect(job).toMatchObject({ state: 'running', total: expect.any(Number) });
    await until(async () => (await owner.req('GET', `/api/lists/refresh/${job.id}`)).json().state === 'done');
    expect((await owner.req('GET', `/api/lists/refresh/${job.id}`)).json()).toMatchObject({ phase: 'done', total: 1, fetched: 1 });
    expect(s.running.policy.explain('school-a', 'more-gambling.example.org', 1).action).toBe('block');
    expect((await owner.req('GET', '/api/lists/refresh/999')).statusCode).toBe(404);
  });

  it('disabling a source takes its rules out; deleting removes it', async () => {
    const off = await owner.req('PATCH', `/api/lists/${sourceId}`, { enabled: false });
    expect(off.statusCode).toBe(200);
    expect(s.running.policy.explain('school-a', 'more-gambling.example.org', 1).action).toBe('allow');
    expect((await owner.req('DELETE', `/api/lists/${sourceId}`)).statusCode).toBe(204);
    expect((await owner.req('GET', `/api/lists/${sourceId}`)).statusCode).toBe(404);
  });

  it('enables a catalog source', async () => {
    const cat = (await owner.req('GET', '/api/lists/catalog')).json();
    expect(cat).toEqual([expect.objectContaining({ name: 'mirror-gambling', source_id: null })]);
    const r = await owner.req('POST', '/api/lists/catalog/mirror-gambling');
    expect(r.statusCode).toBe(201);
    await until(async () => s.running.policy.explain('school-a', 'catalogued.example.org', 1).action === 'block');
    expect((await owner.req('GET', '/api/lists/catalog')).json()[0].source_id).toBe(r.json().id);
    expect((await owner.req('POST', '/api/lists/catalog/mirror-gambling')).statusCode).toBe(409);
    expect((await owner.req('POST', '/api/lists/catalog/nothing-such')).statusCode).toBe(404);
  });

  it('names the field of bad input; only URLs; owners only', async () => {
    const cases: [unknown, string][] = [
      [{ category: 'x', source: `${listBase}/a` }, 'name'],
      [{ name: 'n', category: 'Bad Cat', source: `${listBase}/a` }, 'category'],
      [{ name: 'n', category: 'ads', source: '/etc/passwd' }, 'source'],
      [{ name: 'n', category: 'ads', source: `${listBase}/a`, format: 'xml' }, 'format'],
    ];
    for (const [body, field] of cases) {
      const r = await owner.req('POST', '/api/lists', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().field).toBe(field);
    }
    expect((await netAdmin.req('GET', '/api/lists')).statusCode).toBe(200);
    expect((await netAdmin.req('POST', '/api/lists', { name: 'n', category: 'ads', source: `${listBase}/a` })).statusCode).toBe(403);
    expect((await viewer.req('POST', '/api/lists/refresh', {})).statusCode).toBe(403);
    expect((await netAdmin.req('POST', '/api/lists/catalog/mirror-gambling')).statusCode).toBe(403);
  });
});

describe('reports', () => {
  const submit = (body: unknown, remoteAddress: string) => s.app.inject({ method: 'POST', url: '/api/reports', payload: body as object, remoteAddress, headers: { 'user-agent': 'Secret-Agent/1.0' } });

  it('the public channel needs no login, stores no address or user agent, and is limited per source', async () => {
    const r = await submit({ domain: 'https://Harmful-Site.example.org/path?q=1', kind: 'harmful', message: 'scary' }, '10.1.0.44');
    expect(r.statusCode).toBe(202);
    expect(r.json().status).toBe('received');
    const db = new Database(join(s.dataDir, 'nestguard.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM reports ORDER BY id DESC LIMIT 1').get() as Record<string, unknown>;
      expect(row).toMatchObject({ domain: 'harmful-site.example.org', kind: 'harmful', message: 'scary', network_id: ids.schoolA });
      expect(JSON.stringify(row)).not.toMatch(/10\.1\.0\.44|Secret-Agent/);
    } finally {
      db.close();
    }
    for (let i = 0; i < 3; i++) expect((await submit({ domain: `x${i}.example.org`, kind: 'harmful' }, '10.2.0.9')).statusCode).toBe(202);
    const limited = await submit({ domain: 'y.example.org', kind: 'harmful' }, '10.2.0.9');
    expect(limited.statusCode).toBe(429);
  });

  it('names the field of bad input and refuses big bodies', async () => {
    expect((await submit({ domain: 'not a domain', kind: 'harmful' }, '10.9.0.1')).json().field).toBe('domain');
    expect((await submit({ domain: 'a.example.org', kind: 'spam' }, '10.9.0.1')).json().field).toBe('kind');
    expect((await submit({ domain: 'a.example.org', kind: 'harmful', email: 'me@example.org' }, '10.9.0.1')).json().field).toBe('email');
    const big = await submit({ domain: 'a.example.org', kind: 'harmful', message: 'x'.repeat(5000) }, '10.9.0.1');
    expect([400, 413]).toContain(big.statusCode);
  });

  it('the queue is scoped: a network admin sees only their network\'s reports; a viewer none', async () => {
    const all = (await owner.req('GET', '/api/reports')).json();
    expect(all.total).toBe(4);
    const mine = (await netAdmin.req('GET', '/api/reports?status=open')).json();
    expect(mine.reports.map((r: { domain: string }) => r.domain)).toEqual(['harmful-site.example.org']);
    const other = all.reports.find((r: { network: string }) => r.network === 'school-b');
    expect((await netAdmin.req('GET', `/api/reports/${other.id}`)).statusCode).toBe(404);
    expect((await netAdmin.req('POST', `/api/reports/${other.id}/accept`, { policy: ids.policyA })).statusCode).toBe(404);
    expect((await netAdmin.req('POST', `/api/reports/${other.id}/reject`)).statusCode).toBe(404);
    expect((await viewer.req('GET', '/api/reports')).statusCode).toBe(403);
    expect((await owner.req('GET', '/api/reports?status=closed')).json().field).toBe('status');
  });

  it('accepting adds the deny rule to the policy in one step, served at once; audited; a second decision is refused', async () => {
    const mine = (await netAdmin.req('GET', '/api/reports')).json().reports[0];
    expect((await netAdmin.req('POST', `/api/reports/${mine.id}/accept`, { policy: ids.policyB })).statusCode).toBe(400);
    const r = await netAdmin.req('POST', `/api/reports/${mine.id}/accept`, { policy: ids.policyA });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ report: { status: 'accepted', resolved_by: 'a-admin', policy_id: ids.policyA }, rule: { action: 'deny', text: 'harmful-site.example.org', added: true } });
    expect(s.running.policy.explain('school-a', 'www.harmful-site.example.org', 1).action).toBe('block');
    expect((await owner.req('GET', `/api/policies/${ids.policyA}`)).json().deny).toContain('harmful-site.example.org');
    expect((await netAdmin.req('POST', `/api/reports/${mine.id}/accept`, { policy: ids.policyA })).statusCode).toBe(409);
    expect(audit('report.accept')).toBe(1);
  });

  it('a wrongly-blocked report becomes an allow rule; reject is audited', async () => {
    await submit({ domain: 'homework.example.org', kind: 'wrongly-blocked' }, '10.1.0.45');
    await submit({ domain: 'nonsense.example.org', kind: 'harmful' }, '10.1.0.46');
    const open = (await owner.req('GET', '/api/reports?status=open')).json().reports as { id: number; domain: string }[];
    const wb = open.find((r) => r.domain === 'homework.example.org')!;
    const ok = await owner.req('POST', `/api/reports/${wb.id}/accept`, { policy: ids.policyA });
    expect(ok.json().rule).toMatchObject({ action: 'allow', text: 'homework.example.org' });
    const no = open.find((r) => r.domain === 'nonsense.example.org')!;
    const rej = await owner.req('POST', `/api/reports/${no.id}/reject`);
    expect(rej.json()).toMatchObject({ status: 'rejected', resolved_by: 'admin' });
    expect(audit('report.reject')).toBe(1);
    expect((await owner.req('POST', '/api/reports/99999/reject')).statusCode).toBe(404);
  });
});

describe('explain, stats, export', () => {
  it('explains a decision with the rule and its source', async () => {
    const r = await owner.req('GET', `/api/explain?network=${ids.schoolA}&name=catalogued.example.org`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ action: 'block', category: 'gambling', matches: [{ source: 'mirror-gambling', line: 1, text: 'catalogued.example.org', kind: 'block' }] });
    expect((await owner.req('GET', `/api/explain?network=${ids.schoolA}&name=a..b`)).json().field).toBe('name');
    expect((await owner.req('GET', '/api/explain?name=x.example.org')).json().field).toBe('network');
    expect((await netAdmin.req('GET', `/api/explain?network=${ids.schoolB}&name=x.example.org`)).statusCode).toBe(400);
  });

  it('stats are aggregate, scoped to the networks one may see', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const r = await owner.req('GET', `/api/stats?from=${from}&to=${to}&granularity=hour`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ buckets: expect.any(Array), blocked: { total: expect.any(Object) }, suppress_below: 5 });
    const mine = (await netAdmin.req('GET', `/api/stats?from=${from}&to=${to}`)).json();
    expect(mine.networks.map((n: { name: string }) => n.name)).toEqual(['school-a']);
    const other = await netAdmin.req('GET', `/api/stats?from=${from}&to=${to}&network=${ids.schoolB}`);
    expect(other.statusCode).toBe(404);
    expect(other.json().field).toBe('network[0]');
    expect((await viewer.req('GET', `/api/stats?from=${from}&to=${to}&network=${ids.schoolA}`)).statusCode).toBe(200);
    expect((await owner.req('GET', `/api/stats?from=${to}&to=${from}`)).json().field).toBe('to');
    expect((await owner.req('GET', '/api/stats?from=yesterday&to=today')).json().field).toBe('from');
  });

  it('exports the periodic report as CSV and HTML in both languages', async () => {
    const csv = await owner.req('GET', '/api/reports/export?from=2026-11-01&to=2026-11-30&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const html = await netAdmin.req('GET', `/api/reports/export?from=2026-11-01&to=2026-11-30&network=${ids.schoolA}&lang=en`);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('school-a');
    expect(html.body).toContain('111');
    expect((await owner.req('GET', '/api/reports/export?from=2026-11-30&to=2026-11-01')).json().field).toBe('to');
    expect((await owner.req('GET', '/api/reports/export?from=2026-11-01&to=2026-11-30&format=pdf')).json().field).toBe('format');
  });
});

describe('/api/audit and /api/settings', () => {
  it('the audit log is filterable and paginated, for owners only', async () => {
    const page = (await owner.req('GET', '/api/audit?limit=2')).json();
    expect(page.entries).toHaveLength(2);
    expect(page.total).toBeGreaterThan(5);
    const created = (await owner.req('GET', '/api/audit?action=network.create')).json();
    expect(created.entries.map((e: { target_name: string }) => e.target_name).sort()).toEqual(['school-a', 'school-b']);
    expect(created.entries[0]).toMatchObject({ username: 'admin', target_type: 'network', before: null, after: expect.objectContaining({ name: expect.any(String) }) });
    expect((await owner.req('GET', '/api/audit?limit=0')).json().field).toBe('limit');
    expect((await netAdmin.req('GET', '/api/audit')).statusCode).toBe(403);
    expect((await viewer.req('GET', '/api/audit')).statusCode).toBe(403);
  });

  it('settings change upstreams and the cache at once, for owners only', async () => {
    const before = (await owner.req('GET', '/api/settings')).json();
    expect(before.from_api).toEqual({ upstreams: false, cache: false });
    const bad = await owner.req('PATCH', '/api/settings', { upstreams: ['udp://127.0.0.1:53', 'gopher://x'] });
    expect(bad.json().field).toBe('upstreams[1]');
    expect((await owner.req('PATCH', '/api/settings', { cache: { max_entries: -1 } })).json().field).toBe('cache.max_entries');
    const r = await owner.req('PATCH', '/api/settings', { upstreams: ['udp://127.0.0.1:5399'], cache: { max_ttl: 600 } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ upstreams: ['udp://127.0.0.1:5399'], cache: { max_ttl: 600 }, from_api: { upstreams: true, cache: true } });
    expect(s.running.upstream.health().map((u) => u.url ?? u.name ?? JSON.stringify(u)).join(' ')).toContain('127.0.0.1:5399');
    expect(audit('settings.update')).toBe(1);
    expect((await netAdmin.req('GET', '/api/settings')).statusCode).toBe(403);
    expect((await viewer.req('PATCH', '/api/settings', { cache: { max_ttl: 5 } })).statusCode).toBe(403);
  });
});
