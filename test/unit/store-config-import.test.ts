import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../resolver/src/config/config-schema.js';
import { ConfigError } from '../../resolver/src/config/load-config.js';
import { importConfig } from '../../resolver/src/store/config-import.js';
import { readConfigRevision } from '../../resolver/src/store/config-revision.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { ensureDefaults } from '../../resolver/src/store/first-start.js';
import { loadNetworks } from '../../resolver/src/store/network-repository.js';
import { loadPolicies } from '../../resolver/src/store/policy-repository.js';

type Cfg = Pick<Config, 'policies' | 'networks'>;

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-store-'));
  db = openDatabase(join(dir, 'nestguard.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function problemsOf(cfg: Cfg): string[] {
  try {
    importConfig(db, cfg);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const school: Cfg = {
  policies: [
    {
      name: 'school',
      block: ['adult', 'Gambling'],
      deny: ['||tiktok.test^'],
      allow: ['khanacademy.test'],
      safe_search: { google: true, youtube: 'strict' },
      block_mode: 'custom',
      block_ips: ['192.0.2.1', '2001:db8::1'],
      block_ttl: 300,
      schedules: [
        { name: 'lessons', days: ['mon', 'tue'], from: '07:30', to: '11:30', block: ['games'], allow: ['wiki.test'], except: [{ from: '2025-02-01', to: '2025-02-07', name: 'Tet' }] },
      ],
    },
  ],
  networks: [{ name: 'school-a', kind: 'school', cidrs: ['10.1.2.3/24', '2001:DB8:0:1::/64'], doh_token: 'school-a-token', policy: 'school', contact: 'it@school.test' }],
};

describe('importConfig', () => {
  it('writes policies and networks with every field, CIDRs canonical', () => {
    const r = importConfig(db, school);
    expect(r).toEqual({ policies: 1, networks: 1, warnings: [] });
    const [p] = loadPolicies(db);
    expect(p).toMatchObject({
      name: 'school', block: ['adult', 'gambling'], deny: ['||tiktok.test^'], allow: ['khanacademy.test'],
      safe_search: { google: true, youtube: 'strict' }, block_mode: 'custom', block_ips: ['192.0.2.1', '2001:db8::1'], block_ttl: 300,
    });
    expect(p.schedules).toEqual([
      { id: expect.any(Number), name: 'lessons', days: ['mon', 'tue'], from: '07:30', to: '11:30', block: ['games'], services: [], deny: [], allow: ['wiki.test'], except: [{ from: '2025-02-01', to: '2025-02-07', name: 'Tet' }] },
    ]);
    const [n] = loadNetworks(db);
    expect(n).toMatchObject({ name: 'school-a', kind: 'school', timezone: 'Asia/Ho_Chi_Minh', contact: 'it@school.test', doh_token: 'school-a-token', policy: 'school' });
    expect(n.cidrs.sort()).toEqual(['10.1.2.0/24', '2001:db8:0:1::/64']);
  });

  it('upserts by name: a second import replaces children and keeps ids, other rows untouched', () => {
    importConfig(db, school);
    importConfig(db, { policies: [{ name: 'other', block: ['adult'] }], networks: [] });
    const before = loadPolicies(db).find((p) => p.name === 'school')!;
    importConfig(db, { policies: [{ name: 'school', block: ['social'] }], networks: [{ name: 'school-a', cidrs: ['10.9.0.0/16'], policy: 'school' }] });
    const after = loadPolicies(db);
    const s = after.find((p) => p.name === 'school')!;
    expect(s.id).toBe(before.id);
    expect(s).toMatchObject({ block: ['social'], deny: [], allow: [], schedules: [], block_mode: 'nxdomain', block_ttl: 60 });
    expect(after.map((p) => p.name)).toEqual(['other', 'school']);
    expect(loadNetworks(db)[0]).toMatchObject({ cidrs: ['10.9.0.0/16'], doh_token: null, kind: 'other' });
  });

  it('names the field of every problem and writes nothing', () => {
    const problems = problemsOf({
      policies: [
        { name: 'p', block_mode: 'custom', block_ips: ['192.0.2.300'], deny: ['ok.test', 'bad name!'], allow: ['@@||x.test^'],
          schedules: [
            { name: 'w', days: ['mon'], from: '09:00', to: '09:00' },
            { name: 'w', days: ['mon'], from: '24:00', to: '06:00', except: [{ from: '2025-03-10', to: '2025-03-01' }] },
          ] },
      ],
      networks: [
        { name: 'a', cidrs: ['10.0.0.0/8', '10.0.0.0/33', 'nope', '10.1'], policy: 'p', timezone: 'Mars/Olympus' },
        { name: 'b', policy: 'x' },
        { name: 'c', cidrs: ['10.0.0.1/8'], doh_token: 'token-123456', policy: 'p' },
        { name: 'd', doh_token: 'token-123456', policy: 'p' },
      ],
    });
    expect(problems).toEqual(expect.arrayContaining([
      'policies[0].block_ips[0]: not an IP address: "192.0.2.300"',
      'policies[0].block_ips: block_mode "custom" needs at least one address',
      'policies[0].allow[0]: an allow rule is written without "@@": "@@||x.test^"',
      'policies[0].schedules[0].to: must differ from "from" (a whole day is 00:00-24:00)',
      'policies[0].schedules[1].name: duplicate schedule name "w"',
      'policies[0].schedules[1].from: a window cannot start at 24:00',
      'policies[0].schedules[1].except[0].to: ends before it starts (2025-03-10 > 2025-03-01)',
      'networks[0].cidrs[1]: not a CIDR: "10.0.0.0/33"',
      'networks[0].cidrs[2]: not a CIDR: "nope"',
      'networks[0].cidrs[3]: not a CIDR: "10.1"',
      'networks[0].timezone: unknown time zone "Mars/Olympus"',
      'networks[1].policy: unknown policy "x"',
      'networks[2].cidrs[0]: 10.0.0.0/8 already belongs to network "a"',
      'networks[3].doh_token: already used by network "c"',
    ]));
    expect(problems.some((p) => p.startsWith('policies[0].deny[1]: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('policies[0].deny[0]'))).toBe(false);
    expect(loadPolicies(db)).toEqual([]);
    expect(loadNetworks(db)).toEqual([]);
  });

  it('checks conflicts against networks already stored, and accepts a policy that only the store has', () => {
    importConfig(db, school);
    expect(problemsOf({ policies: [], networks: [{ name: 'intruder', cidrs: ['10.1.2.0/24'], doh_token: 'school-a-token', policy: 'school' }] })).toEqual([
      'networks[0].cidrs[0]: 10.1.2.0/24 already belongs to network "school-a"',
      'networks[0].doh_token: already used by network "school-a"',
    ]);
    expect(importConfig(db, { policies: [], networks: [{ name: 'annex', cidrs: ['10.1.3.0/24'], policy: 'school' }] }).networks).toBe(1);
  });

  it('reports unsupported safe-search engines as warnings, not errors', () => {
    const r = importConfig(db, { policies: [{ name: 'p', safe_search: { google: true, yandex: true, ecosia: true } }], networks: [] });
    expect(r.warnings).toEqual([
      'policies[0].safe_search.yandex: no documented DNS enforcement for this engine; not applied',
      'policies[0].safe_search.ecosia: no documented DNS enforcement for this engine; not applied',
    ]);
  });
});

describe('ensureDefaults', () => {
  it('creates the default policy and the local network on an empty store, once', () => {
    expect(ensureDefaults(db)).toBe(true);
    expect(ensureDefaults(db)).toBe(false);
    const [p] = loadPolicies(db);
    expect(p.name).toBe('default');
    expect(p.block.sort()).toEqual(['adult', 'bypass', 'drugs', 'gambling', 'malware', 'phishing', 'scams']);
    expect(p.safe_search).toEqual({ google: true, youtube: 'moderate', bing: true, duckduckgo: true });
    const [n] = loadNetworks(db);
    expect(n).toMatchObject({ name: 'local', kind: 'other', policy: 'default', timezone: 'Asia/Ho_Chi_Minh' });
    expect(n.cidrs.sort()).toEqual(['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '::1/128', 'fc00::/7', 'fe80::/10'].sort());
  });

  it('does nothing when the config already defined a network', () => {
    importConfig(db, school);
    expect(ensureDefaults(db)).toBe(false);
    expect(loadNetworks(db).map((n) => n.name)).toEqual(['school-a']);
  });
});

describe('config revision', () => {
  it('moves on every configuration write, from any connection, and not on other tables', () => {
    const r0 = readConfigRevision(db);
    importConfig(db, school);
    const r1 = readConfigRevision(db);
    expect(r1).toBeGreaterThan(r0);
    const other = openDatabase(join(dir, 'nestguard.db'));
    other.prepare("UPDATE networks SET contact = 'x' WHERE name = 'school-a'").run();
    other.close();
    const r2 = readConfigRevision(db);
    expect(r2).toBeGreaterThan(r1);
    db.exec('CREATE TABLE scratch (x)');
    db.prepare('INSERT INTO scratch VALUES (1)').run();
    expect(readConfigRevision(db)).toBe(r2);
  });

  it('refuses to delete a policy a network still uses', () => {
    importConfig(db, school);
    expect(() => db.prepare("DELETE FROM policies WHERE name = 'school'").run()).toThrow(/FOREIGN KEY/);
  });
});
