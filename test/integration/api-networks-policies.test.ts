import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAs, login, OWNER_PASSWORD, startApiServer, type ApiServer, type Client } from '../helpers/api-server.js';

// Networks and policies through the API: happy paths, every kind of bad input named by field,
// the role refusals, config-file objects read-only, the audit trail, and each write serving
// in the resolver's engine before the response returns.

let s: ApiServer;
let owner: Client;
let netAdmin: Client;
let viewer: Client;
let ids: { schoolA: number; schoolB: number; policyA: number; policyB: number; shared: number; filed: number; filedPolicy: number };

beforeAll(async () => {
  s = await startApiServer({
    config: {
      policies: [{ name: 'from-file', block: ['adult'] }],
      networks: [{ name: 'file-net', cidrs: ['10.99.0.0/16'], policy: 'from-file' }],
    },
  });
  owner = await login(s.app, 'admin', OWNER_PASSWORD);
  const mk = async (url: string, body: unknown) => {
    const r = await owner.req('POST', url, body);
    if (r.statusCode !== 201) throw new Error(`${url}: ${r.body}`);
    return r.json().id as number;
  };
  const policyA = await mk('/api/policies', { name: 'policy-a', block: ['adult'] });
  const policyB = await mk('/api/policies', { name: 'policy-b', block: ['gambling'] });
  const shared = await mk('/api/policies', { name: 'shared' });
  const schoolA = await mk('/api/networks', { name: 'school-a', kind: 'school', cidrs: ['10.1.0.0/16'], policy: 'policy-a' });
  const schoolB = await mk('/api/networks', { name: 'school-b', kind: 'school', cidrs: ['10.2.0.0/16'], policy: 'policy-b' });
  await mk('/api/networks', { name: 'school-c', cidrs: ['10.3.0.0/16'], policy: 'shared' });
  const list = (await owner.req('GET', '/api/networks')).json() as { id: number; name: string; policy_id: number }[];
  const filed = list.find((n) => n.name === 'file-net')!;
  ids = { schoolA, schoolB, policyA, policyB, shared, filed: filed.id, filedPolicy: filed.policy_id };
  netAdmin = await adminAs(s.app, owner, 'school-a-admin', 'network-admin', ['school-a']);
  viewer = await adminAs(s.app, owner, 'watcher', 'viewer', ['school-a']);
});
afterAll(async () => { await s?.close(); });

const auditCount = (action: string, target: string) => {
  const db = new Database(join(s.dataDir, 'nestguard.db'), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM audit_log WHERE action = ? AND target_name = ?').pluck().get(action, target) as number;
  } finally {
    db.close();
  }
};

describe('networks', () => {
  it('creates with canonical ranges, a random token and its DoH URL; audited', async () => {
    const r = await owner.req('POST', '/api/networks', { name: 'home-1', kind: 'home', cidrs: ['192.168.50.7/24', '2001:db8:5::1/48'], policy: 'shared', timezone: 'Asia/Bangkok', contact: 'ops@example.org' });
    expect(r.statusCode).toBe(201);
    const n = r.json();
    expect(n).toMatchObject({ name: 'home-1', kind: 'home', cidrs: ['192.168.50.0/24', '2001:db8:5::/48'], policy: 'shared', timezone: 'Asia/Bangkok', managed: 'api' });
    expect(n.token).toMatch(/^[0-9a-f]{32}$/);
    expect(n.doh_url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/dns-query/${n.token}$`));
    expect(s.running.policy.networkForAddress('192.168.50.9')?.name).toBe('home-1');
    expect(s.running.policy.networkForToken(n.token)?.name).toBe('home-1');
    expect(auditCount('network.create', 'home-1')).toBe(1);
  });

  it('names the field of every bad input', async () => {
    const cases: [unknown, string][] = [
      [{ cidrs: [], policy: 'policy-a' }, 'name'],
      [{ name: 'x', cidrs: ['10.0.0.0/33'], policy: 'policy-a' }, 'cidrs[0]'],
      [{ name: 'x', cidrs: ['10.5.0.0/16', 'nonsense'], policy: 'policy-a' }, 'cidrs[1]'],
      [{ name: 'x', policy: 'no-such-policy' }, 'policy'],
      [{ name: 'x', policy: 'policy-a', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ name: 'x', policy: 'policy-a', kind: 'castle' }, 'kind'],
      [{ name: 'x', policy: 'policy-a', colour: 'red' }, 'colour'],
      [{ name: '', policy: 'policy-a' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const r = await owner.req('POST', '/api/networks', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toMatchObject({ error: 'invalid', field });
      expect(r.json().message).toContain(field);
    }
  });

  it('refuses a range or a name another network holds (409, field named)', async () => {
    const range = await owner.req('POST', '/api/networks', { name: 'thief', cidrs: ['10.1.0.9/16'], policy: 'policy-a' });
    expect(range.statusCode).toBe(409);
    expect(range.json()).toMatchObject({ error: 'conflict', field: 'cidrs[0]' });
    expect(range.json().message).toContain('school-a');
    const name = await owner.req('POST', '/api/networks', { name: 'school-b', policy: 'policy-a' });
    expect(name.statusCode).toBe(409);
    expect(name.json().field).toBe('name');
  });

  it('404 for unknown ids, 400 for malformed ones', async () => {
    expect((await owner.req('GET', '/api/networks/99999')).statusCode).toBe(404);
    expect((await owner.req('PATCH', '/api/networks/99999', { contact: 'x' })).statusCode).toBe(404);
    const bad = await owner.req('GET', '/api/networks/abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('id');
  });

  it('config-file networks are marked and read-only (409)', async () => {
    const n = (await owner.req('GET', `/api/networks/${ids.filed}`)).json();
    expect(n.managed).toBe('config');
    for (const [method, url, body] of [
      ['PATCH', `/api/networks/${ids.filed}`, { contact: 'x' }],
      ['DELETE', `/api/networks/${ids.filed}`, undefined],
      ['POST', `/api/networks/${ids.filed}/token`, undefined],
    ] as const) {
      const r = await owner.req(method, url, body);
      expect(r.statusCode).toBe(409);
      expect(r.json().error).toBe('managed-by-config');
      expect(r.json().message).toMatch(/configuration file/);
    }
  });

  it('rotating the token replaces it at once', async () => {
    const before = (await owner.req('GET', `/api/networks/${ids.schoolB}`)).json();
    const r = await owner.req('POST', `/api/networks/${ids.schoolB}/token`);
    expect(r.statusCode).toBe(200);
    const after = r.json();
    expect(after.token).not.toBe(before.token);
    expect(after.doh_url).toContain(after.token);
    expect(s.running.policy.networkForToken(before.token)).toBeNull();
    expect(s.running.policy.networkForToken(after.token)?.name).toBe('school-b');
    expect(auditCount('network.token.rotate', 'school-b')).toBe(1);
    const db = new Database(join(s.dataDir, 'nestguard.db'), { readonly: true });
    try {
      expect(JSON.stringify(db.prepare('SELECT before, after FROM audit_log').all())).not.toContain(after.token);
    } finally {
      db.close();
    }
  });

  it('a network admin sees and edits only their network, and never its name or ranges', async () => {
    const list = (await netAdmin.req('GET', '/api/networks')).json() as { name: string }[];
    expect(list.map((n) => n.name)).toEqual(['school-a']);
    expect((await netAdmin.req('GET', `/api/networks/${ids.schoolB}`)).statusCode).toBe(404);
    expect((await netAdmin.req('PATCH', `/api/networks/${ids.schoolB}`, { contact: 'x' })).statusCode).toBe(404);
    const ok = await netAdmin.req('PATCH', `/api/networks/${ids.schoolA}`, { contact: 'it@school-a.example.org', name: 'school-a' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().contact).toBe('it@school-a.example.org');
    expect((await netAdmin.req('PATCH', `/api/networks/${ids.schoolA}`, { cidrs: ['10.1.0.0/17'] })).statusCode).toBe(403);
    expect((await netAdmin.req('PATCH', `/api/networks/${ids.schoolA}`, { name: 'renamed' })).statusCode).toBe(403);
    expect((await netAdmin.req('POST', '/api/networks', { name: 'mine', policy: 'policy-a' })).statusCode).toBe(403);
    expect((await netAdmin.req('DELETE', `/api/networks/${ids.schoolA}`)).statusCode).toBe(403);
    // moving their network onto another network's policy would let them edit it: refused
    expect((await netAdmin.req('PATCH', `/api/networks/${ids.schoolA}`, { policy: 'policy-b' })).statusCode).toBe(403);
    expect((await netAdmin.req('POST', `/api/networks/${ids.schoolB}/token`)).statusCode).toBe(404);
  });

  it('a viewer reads their networks without tokens and changes nothing', async () => {
    const list = (await viewer.req('GET', '/api/networks')).json() as { name: string; token: string | null }[];
    expect(list).toHaveLength(1);
    expect(list[0].token).toBeNull();
    expect((await viewer.req('PATCH', `/api/networks/${ids.schoolA}`, { contact: 'x' })).statusCode).toBe(403);
    expect((await viewer.req('POST', '/api/networks', { name: 'v', policy: 'policy-a' })).statusCode).toBe(403);
    expect((await viewer.req('POST', `/api/networks/${ids.schoolA}/token`)).statusCode).toBe(403);
    expect((await viewer.req('DELETE', `/api/networks/${ids.schoolA}`)).statusCode).toBe(403);
  });

  it('deletes (owner), audited, and the resolver stops serving its range', async () => {
    const r = await owner.req('POST', '/api/networks', { name: 'short-lived', cidrs: ['10.77.0.0/16'], policy: 'shared' });
    expect(s.running.policy.networkForAddress('10.77.1.1')?.name).toBe('short-lived');
    expect((await owner.req('DELETE', `/api/networks/${r.json().id}`)).statusCode).toBe(204);
    expect(s.running.policy.networkForAddress('10.77.1.1')).toBeNull();
    expect((await owner.req('GET', `/api/networks/${r.json().id}`)).statusCode).toBe(404);
    expect(auditCount('network.delete', 'short-lived')).toBe(1);
  });
});

describe('policies', () => {
  it('a change serves in the resolver before the response returns', async () => {
    expect(s.running.policy.explain('school-a', 'exam-cheats.example.org', 1).action).toBe('allow');
    const r = await owner.req('PATCH', `/api/policies/${ids.policyA}`, { deny: ['exam-cheats.example.org'] });
    expect(r.statusCode).toBe(200);
    expect(r.json().deny).toEqual(['exam-cheats.example.org']);
    const why = s.running.policy.explain('school-a', 'www.exam-cheats.example.org', 1);
    expect(why).toMatchObject({ action: 'block', policy: 'policy-a' });
    expect(auditCount('policy.update', 'policy-a')).toBe(1);
  });

  it('creates with schedules and exceptions and returns the stored shape', async () => {
    const body = {
      name: 'lessons', block: ['adult'], safe_search: { google: true, youtube: 'strict' }, block_mode: 'null',
      schedules: [{ name: 'class', days: ['mon', 'tue'], from: '07:00', to: '17:00', block: ['games'], except: [{ from: '2026-12-24', to: '2027-01-01', name: 'winter break' }] }],
    };
    const r = await owner.req('POST', '/api/policies', body);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ ...body, managed: 'api', networks: [], schedules: [{ ...body.schedules[0], id: expect.any(Number) }] });
  });

  it('names the field of every bad input', async () => {
    const cases: [unknown, string][] = [
      [{ block: [] }, 'name'],
      [{ name: 'p1', block: ['Not A Category!'] }, 'block[0]'],
      [{ name: 'p1', deny: ['ok.example.org', 'bad..example.org'] }, 'deny[1]'],
      [{ name: 'p1', allow: ['@@x.example.org'] }, 'allow[0]'],
      [{ name: 'p1', block_mode: 'explode' }, 'block_mode'],
      [{ name: 'p1', block_mode: 'custom', block_ips: ['1.2.3.999'] }, 'block_ips[0]'],
      [{ name: 'p1', block_ttl: -1 }, 'block_ttl'],
      [{ name: 'p1', schedules: [{ name: 's', days: ['mon'], from: '25:00', to: '10:00' }] }, 'schedules[0].from'],
      [{ name: 'p1', schedules: [{ name: 's', days: ['noday'], from: '08:00', to: '10:00' }] }, 'schedules[0].days[0]'],
      [{ name: 'p1', schedules: [{ name: 's', days: ['mon'], from: '08:00', to: '10:00', except: [{ from: '2026-02-30', to: '2026-03-01' }] }] }, 'schedules[0].except[0].from'],
      [{ name: 'p1', safe_search: { altavista: true } }, 'safe_search.altavista'],
    ];
    for (const [body, field] of cases) {
      const r = await owner.req('POST', '/api/policies', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json(), JSON.stringify(body)).toMatchObject({ error: 'invalid', field });
    }
    expect((await owner.req('POST', '/api/policies', { name: 'policy-a' })).statusCode).toBe(409);
  });

  it('bulk rules: every invalid line named, nothing written; then added without duplicates', async () => {
    const bad = await owner.req('POST', `/api/policies/${ids.policyB}/rules`, { action: 'deny', rules: 'one.example.org\n\n# comment\nbad..name\ntwo.example.org\nthree..bad\n' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid', field: 'rules[3]' });
    expect(bad.json().problems.map((p: { field: string }) => p.field)).toEqual(['rules[3]', 'rules[5]']);
    expect((await owner.req('GET', `/api/policies/${ids.policyB}`)).json().deny).toEqual([]);
    const dry = await owner.req('POST', `/api/policies/${ids.policyB}/rules`, { action: 'deny', rules: 'one.example.org\ntwo.example.org', dry_run: true });
    expect(dry.json()).toMatchObject({ added: 2, duplicates: 0 });
    expect((await owner.req('GET', `/api/policies/${ids.policyB}`)).json().deny).toEqual([]);
    const ok = await owner.req('POST', `/api/policies/${ids.policyB}/rules`, { action: 'deny', rules: 'one.example.org\ntwo.example.org\none.example.org' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ added: 2, duplicates: 1 });
    expect(ok.json().policy.deny).toEqual(['one.example.org', 'two.example.org']);
    expect(s.running.policy.explain('school-b', 'two.example.org', 1).action).toBe('block');
    const replaced = await owner.req('POST', `/api/policies/${ids.policyB}/rules`, { action: 'deny', rules: 'three.example.org', replace: true });
    expect(replaced.json().policy.deny).toEqual(['three.example.org']);
    expect((await owner.req('POST', `/api/policies/${ids.policyB}/rules`, { action: 'block', rules: 'x' })).json().field).toBe('action');
  });

  it('config-file policies are marked and read-only (409)', async () => {
    const p = (await owner.req('GET', `/api/policies/${ids.filedPolicy}`)).json();
    expect(p).toMatchObject({ name: 'from-file', managed: 'config', networks: ['file-net'] });
    const r = await owner.req('PATCH', `/api/policies/${ids.filedPolicy}`, { block: [] });
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toBe('managed-by-config');
    expect((await owner.req('POST', `/api/policies/${ids.filedPolicy}/rules`, { action: 'deny', rules: 'x.example.org' })).statusCode).toBe(409);
  });

  it('a policy in use cannot be deleted; an unused one can', async () => {
    const inUse = await owner.req('DELETE', `/api/policies/${ids.policyB}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ error: 'in-use' });
    expect(inUse.json().message).toContain('school-b');
    const tmp = (await owner.req('POST', '/api/policies', { name: 'temp' })).json();
    expect((await owner.req('DELETE', `/api/policies/${tmp.id}`)).statusCode).toBe(204);
    expect((await owner.req('GET', `/api/policies/${tmp.id}`)).statusCode).toBe(404);
    expect(auditCount('policy.delete', 'temp')).toBe(1);
  });

  it('a network admin reads and edits only their network\'s policy', async () => {
    const list = (await netAdmin.req('GET', '/api/policies')).json() as { name: string }[];
    expect(list.map((p) => p.name)).toEqual(['policy-a']);
    expect((await netAdmin.req('GET', `/api/policies/${ids.policyB}`)).statusCode).toBe(404);
    expect((await netAdmin.req('PATCH', `/api/policies/${ids.policyB}`, { block: [] })).statusCode).toBe(404);
    expect((await netAdmin.req('POST', `/api/policies/${ids.policyB}/rules`, { action: 'deny', rules: 'x.example.org' })).statusCode).toBe(404);
    const ok = await netAdmin.req('PATCH', `/api/policies/${ids.policyA}`, { allow: ['homework.example.org'] });
    expect(ok.statusCode).toBe(200);
    expect((await netAdmin.req('POST', '/api/policies', { name: 'mine' })).statusCode).toBe(403);
    expect((await netAdmin.req('DELETE', `/api/policies/${ids.policyA}`)).statusCode).toBe(403);
  });

  it('a network admin cannot edit a policy shared with a network they do not manage', async () => {
    await owner.req('PATCH', `/api/networks/${ids.schoolB}`, { policy: 'policy-a' });
    try {
      const r = await netAdmin.req('PATCH', `/api/policies/${ids.policyA}`, { allow: [] });
      expect(r.statusCode).toBe(403);
      expect((await netAdmin.req('GET', `/api/policies/${ids.policyA}`)).statusCode).toBe(200);
    } finally {
      await owner.req('PATCH', `/api/networks/${ids.schoolB}`, { policy: 'policy-b' });
    }
  });

  it('a viewer reads and changes nothing', async () => {
    expect((await viewer.req('GET', `/api/policies/${ids.policyA}`)).statusCode).toBe(200);
    expect((await viewer.req('PATCH', `/api/policies/${ids.policyA}`, { block: [] })).statusCode).toBe(403);
    expect((await viewer.req('POST', `/api/policies/${ids.policyA}/rules`, { action: 'deny', rules: 'x.example.org' })).statusCode).toBe(403);
    expect((await viewer.req('POST', '/api/policies', { name: 'v' })).statusCode).toBe(403);
  });
});
