import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAs, login, OWNER_PASSWORD, startApiServer, type ApiServer, type Client } from '../helpers/api-server.js';

// Login, sessions and CSRF against the real app (fastify inject over the real store).

let s: ApiServer;
let owner: Client;
beforeAll(async () => {
  s = await startApiServer({ api: { loginFailures: { max: 5, windowMs: 60_000 } } });
  owner = await login(s.app, 'admin', OWNER_PASSWORD);
});
afterAll(async () => { await s?.close(); });

const post = (url: string, payload: unknown, remoteAddress = '127.0.0.1') => s.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress });

describe('first start', () => {
  it('created the owner "admin" with NESTGUARD_ADMIN_PASSWORD and showed no password', () => {
    expect(owner.user).toMatchObject({ username: 'admin', role: 'owner' });
    expect(s.terminal).toEqual([]);
  });

  it('without NESTGUARD_ADMIN_PASSWORD, a random password is shown once on the terminal and works', async () => {
    const other = await startApiServer({ env: {} });
    try {
      const line = other.terminal.find((l) => l.includes('password:'));
      expect(line).toBeDefined();
      const password = line!.split('password: ')[1];
      expect(password).toMatch(/^\S{20}$/);
      const c = await login(other.app, 'admin', password);
      expect(c.user.role).toBe('owner');
    } finally {
      await other.close();
    }
    // a restart on the same data creates no second owner and shows nothing
    const again = await startApiServer({ env: {}, dataDir: s.dataDir });
    await again.close().catch(() => undefined);
    expect(again.terminal).toEqual([]);
  });
});

describe('POST /api/session', () => {
  it('sets an httpOnly, SameSite=Strict session cookie (not Secure over plain HTTP) and returns the CSRF token', async () => {
    const r = await post('/api/session', { username: 'admin', password: OWNER_PASSWORD });
    expect(r.statusCode).toBe(200);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/^nestguard_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const body = r.json();
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(body.user).toEqual({ id: owner.user.id, username: 'admin', role: 'owner', networks: [] });
  });

  it('gives one message for a wrong password and an unknown user', async () => {
    const a = await post('/api/session', { username: 'admin', password: 'wrong-password' }, '127.0.0.50');
    const b = await post('/api/session', { username: 'nobody', password: 'wrong-password' }, '127.0.0.50');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
    expect(a.json()).toEqual({ error: 'unauthorized', message: 'wrong username or password' });
  });

  it('names the missing or malformed field', async () => {
    const r = await post('/api/session', { password: 'x' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'invalid', field: 'username' });
    const t = await post('/api/session', { username: { a: 1 }, password: 'x' });
    expect(t.json()).toMatchObject({ field: 'username' });
    const n = await s.app.inject({ method: 'POST', url: '/api/session', payload: 'not json', headers: { 'content-type': 'application/json' } });
    expect(n.statusCode).toBe(400);
    expect(n.json().error).toBeTypeOf('string');
  });

  it('answers 429 after too many failures from one source, even to the right password; other sources are unaffected', async () => {
    const from = '127.0.0.77';
    for (let i = 0; i < 5; i++) expect((await post('/api/session', { username: 'admin', password: `bad-${i}` }, from)).statusCode).toBe(401);
    const blocked = await post('/api/session', { username: 'admin', password: OWNER_PASSWORD }, from);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error).toBe('rate-limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post('/api/session', { username: 'admin', password: OWNER_PASSWORD }, '127.0.0.78')).statusCode).toBe(200);
  });
});

describe('session use', () => {
  it('GET /api/session says who is logged in; without a cookie, 401', async () => {
    const r = await owner.req('GET', '/api/session');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ csrfToken: owner.csrf, user: { username: 'admin', role: 'owner' } });
    const anon = await s.app.inject({ method: 'GET', url: '/api/session' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error).toBe('unauthorized');
  });

  it('refuses a state-changing request without the CSRF header, or with a wrong one', async () => {
    const body = { name: 'csrf-test', policy: 'default' };
    const none = await s.app.inject({ method: 'POST', url: '/api/networks', payload: body, headers: { cookie: owner.cookie } });
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toBe('csrf');
    const wrong = await owner.req('POST', '/api/networks', body, { 'x-csrf-token': 'x'.repeat(owner.csrf.length) });
    expect(wrong.statusCode).toBe(403);
    const del = await s.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: owner.cookie } });
    expect(del.statusCode).toBe(403);
    expect((await owner.req('GET', '/api/session')).statusCode).toBe(200);
  });

  it('logout ends the session', async () => {
    const c = await login(s.app, 'admin', OWNER_PASSWORD);
    expect((await c.req('DELETE', '/api/session')).statusCode).toBe(204);
    expect((await c.req('GET', '/api/session')).statusCode).toBe(401);
    expect((await owner.req('GET', '/api/session')).statusCode).toBe(200);
  });

  it('lists my sessions, marking this one', async () => {
    const r = await owner.req('GET', '/api/session/sessions');
    expect(r.statusCode).toBe(200);
    const list = r.json() as { current: boolean }[];
    expect(list.filter((x) => x.current)).toHaveLength(1);
  });

  it('a password change ends my other sessions, keeps this one, and is audited', async () => {
    const a = await adminAs(s.app, owner, 'changer', 'viewer');
    const b = await login(s.app, 'changer', 'changer-password-123');
    const wrong = await a.req('PUT', '/api/session/password', { current_password: 'nope-nope-nope', new_password: 'another-password-1' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().field).toBe('current_password');
    const short = await a.req('PUT', '/api/session/password', { current_password: 'changer-password-123', new_password: 'short' });
    expect(short.json().field).toBe('new_password');
    const ok = await a.req('PUT', '/api/session/password', { current_password: 'changer-password-123', new_password: 'another-password-1' });
    expect(ok.statusCode).toBe(204);
    expect((await a.req('GET', '/api/session')).statusCode).toBe(200);
    expect((await b.req('GET', '/api/session')).statusCode).toBe(401);
    await login(s.app, 'changer', 'another-password-1');
    const db = new Database(join(s.dataDir, 'nestguard.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM audit_log WHERE action = 'password.change' AND target_name = 'changer'").pluck().get()).toBe(1);
      // the store keeps hashes only: neither the password nor the cookie token
      const dump = JSON.stringify(db.prepare('SELECT * FROM admins').all()) + JSON.stringify(db.prepare('SELECT * FROM sessions').all());
      expect(dump).not.toContain('another-password-1');
      expect(dump).not.toContain(a.cookie.split('=')[1]);
    } finally {
      db.close();
    }
  });
});

describe('idle expiry', () => {
  it('a session unused for longer than the idle time is gone; a used one lives on', async () => {
    const short = await startApiServer({ api: { sessionIdleMs: 1500 } });
    try {
      const idle = await login(short.app, 'admin', OWNER_PASSWORD);
      const busy = await login(short.app, 'admin', OWNER_PASSWORD);
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 350));
        expect((await busy.req('GET', '/api/session')).statusCode).toBe(200);
      }
      const r = await idle.req('GET', '/api/session');
      expect(r.statusCode).toBe(401);
      expect(r.json().message).toMatch(/expired/);
    } finally {
      await short.close();
    }
  });
});
