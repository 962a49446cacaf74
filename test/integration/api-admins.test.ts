import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/nestguard.js';
import { adminAs, login, OWNER_PASSWORD, startApiServer, type ApiServer, type Client } from '../helpers/api-server.js';

// Admin accounts over the API (owners only) and `npm run admin` on the same data directory.

let s: ApiServer;
let owner: Client;
beforeAll(async () => {
  s = await startApiServer();
  owner = await login(s.app, 'admin', OWNER_PASSWORD);
  await owner.req('POST', '/api/networks', { name: 'school-a', cidrs: ['10.1.0.0/16'], policy: 'default' });
});
afterAll(async () => { await s?.close(); });

describe('/api/admins', () => {
  it('creates a network admin by network names; they log in with their role and networks; audited', async () => {
    const r = await owner.req('POST', '/api/admins', { username: 'teacher', password: 'teacher-password-1', role: 'network-admin', networks: ['school-a'] });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ username: 'teacher', role: 'network-admin', networks: ['school-a'], sessions: 0 });
    const t = await login(s.app, 'teacher', 'teacher-password-1');
    expect(t.user).toMatchObject({ role: 'network-admin', networks: ['school-a'] });
    const audit = await owner.req('GET', '/api/admins');
    expect((audit.json() as { username: string }[]).map((a) => a.username)).toEqual(['admin', 'teacher']);
  });

  it('names the field of bad input; 409 for a taken name; 404 for unknown ids', async () => {
    const cases: [unknown, string][] = [
      [{ password: 'long-enough-1', role: 'viewer' }, 'username'],
      [{ username: 'bad name', password: 'long-enough-1', role: 'viewer' }, 'username'],
      [{ username: 'u1', password: 'short', role: 'viewer' }, 'password'],
      [{ username: 'u1', password: 'long-enough-1', role: 'king' }, 'role'],
      [{ username: 'u1', password: 'long-enough-1', role: 'viewer', networks: ['school-a', 'atlantis'] }, 'networks[1]'],
    ];
    for (const [body, field] of cases) {
      const r = await owner.req('POST', '/api/admins', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().field, JSON.stringify(body)).toBe(field);
    }
    const dup = await owner.req('POST', '/api/admins', { username: 'TEACHER', password: 'long-enough-1', role: 'viewer' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().field).toBe('username');
    expect((await owner.req('GET', '/api/admins/9999')).statusCode).toBe(404);
    expect((await owner.req('PATCH', '/api/admins/9999', { role: 'viewer' })).statusCode).toBe(404);
    expect((await owner.req('PATCH', '/api/admins/1', {})).statusCode).toBe(400);
  });

  it('a new password set by an owner ends that admin\'s sessions', async () => {
    const v = await adminAs(s.app, owner, 'reset-me', 'viewer');
    const r = await owner.req('PATCH', `/api/admins/${v.user.id}`, { password: 'fresh-password-9' });
    expect(r.statusCode).toBe(200);
    expect((await v.req('GET', '/api/session')).statusCode).toBe(401);
    await login(s.app, 'reset-me', 'fresh-password-9');
  });

  it('lists and revokes an admin\'s sessions', async () => {
    const v = await adminAs(s.app, owner, 'many-sessions', 'viewer');
    await login(s.app, 'many-sessions', 'many-sessions-password-123');
    const list = await owner.req('GET', `/api/admins/${v.user.id}/sessions`);
    expect(list.json()).toHaveLength(2);
    expect((await owner.req('DELETE', `/api/admins/${v.user.id}/sessions`)).statusCode).toBe(204);
    expect((await v.req('GET', '/api/session')).statusCode).toBe(401);
  });

  it('the last owner can be neither demoted nor deleted; nobody deletes themselves', async () => {
    const demote = await owner.req('PATCH', `/api/admins/${owner.user.id}`, { role: 'viewer' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().field).toBe('role');
    expect((await owner.req('DELETE', `/api/admins/${owner.user.id}`)).statusCode).toBe(409);
    const second = await adminAs(s.app, owner, 'owner-two', 'owner');
    expect((await second.req('DELETE', `/api/admins/${second.user.id}`)).statusCode).toBe(409);
    expect((await second.req('DELETE', `/api/admins/${owner.user.id}`)).statusCode).toBe(204);
    owner = second;
  });

  it('network admins and viewers are refused every admin route (403)', async () => {
    const na = await adminAs(s.app, owner, 'na', 'network-admin', ['school-a']);
    const vw = await adminAs(s.app, owner, 'vw', 'viewer');
    for (const c of [na, vw]) {
      expect((await c.req('GET', '/api/admins')).statusCode).toBe(403);
      expect((await c.req('GET', `/api/admins/${c.user.id}`)).statusCode).toBe(403);
      expect((await c.req('POST', '/api/admins', { username: 'evil', password: 'evil-password-1', role: 'owner' })).statusCode).toBe(403);
      expect((await c.req('PATCH', `/api/admins/${c.user.id}`, { role: 'owner' })).statusCode).toBe(403);
      expect((await c.req('DELETE', `/api/admins/${owner.user.id}`)).statusCode).toBe(403);
    }
  });
});

describe('npm run admin', () => {
  const run = promisify(execFile);
  it('creates, lists and resets admins on the data directory; the reset ends sessions', async () => {
    const confDir = mkdtempSync(join(tmpdir(), 'nestguard-admin-cli-'));
    const configFile = join(confDir, 'c.yaml');
    writeFileSync(configFile, 'lists: { bundled: false }\n');
    const env = { ...process.env, NESTGUARD_CONFIG: configFile, NESTGUARD_DATA_DIR: s.dataDir };
    const cli = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'dist/scripts/admin.js'), ...args], { env });
    const created = await cli('create', 'cli-viewer', '--role', 'viewer', '--network', 'school-a');
    expect(created.stdout).toMatch(/created cli-viewer \(viewer\)\npassword: (\S{20})\n/);
    const password = /password: (\S+)/.exec(created.stdout)![1];
    const c = await login(s.app, 'cli-viewer', password);
    expect(c.user.networks).toEqual(['school-a']);
    expect((await cli('list')).stdout).toMatch(/^cli-viewer\tviewer\tschool-a$/m);
    const reset = await cli('reset-password', 'cli-viewer', '--password', 'set-by-cli-123');
    expect(reset.stdout).toContain('sessions are ended');
    expect((await c.req('GET', '/api/session')).statusCode).toBe(401);
    await login(s.app, 'cli-viewer', 'set-by-cli-123');
    await expect(cli('create', 'x', '--role', 'pope')).rejects.toMatchObject({ stderr: expect.stringContaining('--role') });
    await expect(cli('create', 'y', '--role', 'viewer', '--network', 'atlantis')).rejects.toMatchObject({ stderr: expect.stringContaining('atlantis') });
    await expect(cli('reset-password', 'nobody')).rejects.toMatchObject({ stderr: expect.stringContaining('nobody') });
  });
});
