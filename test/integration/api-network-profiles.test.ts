import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../resolver/src/config/load-config.js';
import { adminAs, login, OWNER_PASSWORD, startApiServer, type ApiServer, type Client } from '../helpers/api-server.js';
import { freePort } from '../helpers/ports.js';
import { makeTestCa } from '../helpers/test-ca.js';
import { removeOnExit } from '../helpers/test-cleanup.js';

// The setup endpoints for devices away from home: DoH URL and DoT host name carrying the
// network's token, and the Apple profile, shown to the network's editors only.

const SERVER_NAME = 'dns.test';
let s: ApiServer;
let owner: Client;
let viewer: Client;
let id: number;
let token: string;
let dotPort: number;
let httpsPort: number;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-profiles-'));
  removeOnExit(dir);
  const ca = makeTestCa(dir);
  ca.issue([SERVER_NAME, `*.${SERVER_NAME}`], join(dir, 'server.pem'), join(dir, 'server.key'));
  dotPort = await freePort();
  httpsPort = await freePort();
  const dnsPort = await freePort();
  s = await startApiServer({
    config: {
      dns: { ...DEFAULTS.dns, listen: [`127.0.0.1:${dnsPort}`], dot_listen: [`127.0.0.1:${dotPort}`] },
      http: { ...DEFAULTS.http, listen: `127.0.0.1:${await freePort()}`, https_listen: `127.0.0.1:${httpsPort}` },
      tls: { cert_file: join(dir, 'server.pem'), key_file: join(dir, 'server.key'), server_name: SERVER_NAME },
      // older doh_token values of a config file: mixed case, and one no DNS label can carry
      policies: [{ name: 'file-policy' }],
      networks: [
        { name: 'mixed', policy: 'file-policy', doh_token: 'Mixed0Case0Token' },
        { name: 'underscored', policy: 'file-policy', doh_token: 'legacy_under_token_3' },
      ],
    },
  });
  owner = await login(s.app, 'admin', OWNER_PASSWORD);
  const p = await owner.req('POST', '/api/policies', { name: 'kids' });
  expect(p.statusCode).toBe(201);
  const n = await owner.req('POST', '/api/networks', { name: 'Nhà Minh', cidrs: ['10.7.0.0/16'], policy: 'kids' });
  expect(n.statusCode).toBe(201);
  id = n.json().id;
  token = n.json().token;
  viewer = await adminAs(s.app, owner, 'viewer1', 'viewer', ['Nhà Minh']);
});

afterAll(async () => {
  await s?.close();
});

describe('network endpoints and profiles', () => {
  it('gives the DoH URL over HTTPS and the DoT host name with the token', async () => {
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const r = await owner.req('GET', `/api/networks/${id}/endpoints`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ doh_url: `https://${SERVER_NAME}:${httpsPort}/dns-query/${token}`, dot_hostname: `${token}.${SERVER_NAME}`, dot_port: dotPort });
    const n = (await owner.req('GET', `/api/networks/${id}`)).json();
    expect(n.doh_url).toBe(`https://${SERVER_NAME}:${httpsPort}/dns-query/${token}`);
    expect(n.dot_hostname).toBe(`${token}.${SERVER_NAME}`);
  });

  it('a rotated token shows in the endpoints at once', async () => {
    const r = await owner.req('POST', `/api/networks/${id}/token`);
    expect(r.statusCode).toBe(200);
    token = r.json().token;
    expect((await owner.req('GET', `/api/networks/${id}/endpoints`)).json().dot_hostname).toBe(`${token}.${SERVER_NAME}`);
  });

  it('downloads an Apple profile for DoH and for DoT that plutil-style parsers accept', async () => {
    for (const [transport, expected] of [['https', `<string>https://${SERVER_NAME}:${httpsPort}/dns-query/${token}</string>`], ['tls', `<string>${token}.${SERVER_NAME}</string>`]] as const) {
      const r = await owner.req('GET', `/api/networks/${id}/mobileconfig?transport=${transport}`);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/x-apple-aspen-config/);
      expect(r.headers['content-disposition']).toMatch(/\.mobileconfig"$/);
      expect(r.body).toContain('<string>com.apple.dnsSettings.managed</string>');
      expect(r.body).toContain(`<string>${transport === 'https' ? 'HTTPS' : 'TLS'}</string>`);
      expect(r.body).toContain(expected);
      // well-formed XML (xmllint is not installed everywhere; python's parser is)
      const file = join(tmpdir(), `profile-${process.pid}-${transport}.xml`);
      writeFileSync(file, r.body);
      execFileSync('python3', ['-c', 'import plistlib,sys; d=plistlib.load(open(sys.argv[1],"rb")); assert d["PayloadContent"][0]["PayloadType"]=="com.apple.dnsSettings.managed"', file]);
    }
  });

  it('a legacy doh_token: lower-cased in the DoT host name, or no DoT host name (409 for its DoT profile) when no label can carry it', async () => {
    const byName = new Map((await owner.req('GET', '/api/networks')).json().map((n: { name: string; id: number }) => [n.name, n.id]));
    const mixed = (await owner.req('GET', `/api/networks/${byName.get('mixed')}/endpoints`)).json();
    expect(mixed).toEqual({ doh_url: `https://${SERVER_NAME}:${httpsPort}/dns-query/Mixed0Case0Token`, dot_hostname: `mixed0case0token.${SERVER_NAME}`, dot_port: dotPort });
    const underscored = byName.get('underscored');
    const e = (await owner.req('GET', `/api/networks/${underscored}/endpoints`)).json();
    expect(e).toEqual({ doh_url: `https://${SERVER_NAME}:${httpsPort}/dns-query/legacy_under_token_3`, dot_hostname: null, dot_port: null });
    const profile = await owner.req('GET', `/api/networks/${underscored}/mobileconfig?transport=tls`);
    expect(profile.statusCode).toBe(409);
    expect(profile.json()).toMatchObject({ error: 'token-not-a-label' });
    expect(profile.json().message).toMatch(/not a DNS label.*token/);
    expect((await owner.req('GET', `/api/networks/${underscored}/mobileconfig?transport=https`)).statusCode).toBe(200);
  });

  it('refuses viewers (the token grants the policy) and names a bad transport', async () => {
    expect((await viewer.req('GET', `/api/networks/${id}/endpoints`)).statusCode).toBe(403);
    expect((await viewer.req('GET', `/api/networks/${id}/mobileconfig`)).statusCode).toBe(403);
    const bad = await owner.req('GET', `/api/networks/${id}/mobileconfig?transport=carrier-pigeon`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/transport/);
    expect((await owner.req('GET', '/api/networks/99999/endpoints')).statusCode).toBe(404);
  });
});
