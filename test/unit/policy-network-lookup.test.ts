import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyMatcher } from '../../resolver/src/lists/domain-matcher.js';
import { AddressTable } from '../../resolver/src/policy/address-table.js';
import { parseCidr } from '../../resolver/src/policy/cidr.js';
import { PolicyService } from '../../resolver/src/policy/policy-service.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';

let dir: string;
let db: Db;
let engine: PolicyService;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-lookup-'));
  db = openDatabase(join(dir, 'nestguard.db'));
  engine = new PolicyService({
    db,
    config: {
      policies: [{ name: 'isp-plan', block: ['adult'] }, { name: 'school', block: ['adult', 'games'] }],
      networks: [
        { name: 'isp', kind: 'isp', policy: 'isp-plan', cidrs: ['100.64.0.0/10', '2001:db8::/32'] },
        { name: 'school', kind: 'school', policy: 'school', cidrs: ['100.64.7.0/24', '2001:db8:7::/48'], doh_token: 'school-token-1' },
        { name: 'lab', kind: 'school', policy: 'school', cidrs: ['100.64.7.128/25', '127.0.0.2', '::ffff:127.0.0.3'] },
        { name: 'everyone', policy: 'isp-plan', cidrs: ['0.0.0.0/0'] },
        { name: 'token-only', policy: 'isp-plan', doh_token: 'home-token-22' },
      ],
    },
    lists: emptyMatcher,
    logger: pino({ level: 'silent' }),
  });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('networkForAddress: longest prefix wins', () => {
  it.each([
    ['100.64.0.1', 'isp'],
    ['100.127.255.255', 'isp'],
    ['100.64.7.1', 'school'],
    ['100.64.7.127', 'school'],
    ['100.64.7.128', 'lab'],
    ['100.64.7.255', 'lab'],
    ['127.0.0.2', 'lab'], // a single address is a /32
    ['127.0.0.3', 'lab'], // written IPv4-mapped, stored as IPv4
    ['::ffff:127.0.0.2', 'lab'], // a dual-stack socket's view of an IPv4 client
    ['::ffff:100.64.7.1', 'school'],
    ['8.8.8.8', 'everyone'], // 0.0.0.0/0 catches the rest of IPv4 only
    ['2001:db8::1', 'isp'],
    ['2001:db8:7::53', 'school'],
    ['2001:db8:7:ffff::1', 'school'],
    ['2001:db8:8::1', 'isp'],
    ['2001:db9::1', null],
    ['::1', null],
    ['not-an-address', null],
    ['', null],
  ])('%s -> %s', (address, expected) => {
    expect(engine.networkForAddress(address)?.name ?? null).toBe(expected);
    // memoised answer is the same object
    expect(engine.networkForAddress(address)).toBe(engine.networkForAddress(address));
  });

  it('carries the policy and block answer of the network, and no statistics', () => {
    const n = engine.networkForAddress('100.64.7.200')!;
    expect(n.policyName).toBe('school');
    expect(n.block.mode).toBe('nxdomain');
    // the stats module owns the counters, found by network id (counters-across-snapshots.test.ts)
    expect(Object.keys(n)).not.toContain('counters');
  });
});

describe('networkForToken', () => {
  it.each([
    ['school-token-1', 'school'],
    ['home-token-22', 'token-only'],
    ['school-token-2', null],
    ['', null],
  ])('%s -> %s', (token, expected) => {
    expect(engine.networkForToken(token)?.name ?? null).toBe(expected);
  });
});

describe('AddressTable', () => {
  it('stays correct when its memo is full and evicts', () => {
    const t = new AddressTable<string>(2);
    t.add(parseCidr('10.0.0.0/8')!, 'a');
    t.add(parseCidr('10.1.0.0/16')!, 'b');
    for (let round = 0; round < 3; round++) {
      expect(t.lookup('10.1.2.3')).toBe('b');
      expect(t.lookup('10.2.2.3')).toBe('a');
      expect(t.lookup('11.0.0.1')).toBe(null);
    }
  });

  it('reports the owner of a range added twice and keeps the first', () => {
    const t = new AddressTable<string>();
    expect(t.add(parseCidr('10.0.0.0/8')!, 'a')).toBeUndefined();
    expect(t.add(parseCidr('10.9.9.9/8')!, 'b')).toBe('a');
    expect(t.lookup('10.0.0.1')).toBe('a');
  });

  it('canonicalises CIDRs', () => {
    expect(['10.1.2.3/24', '2001:DB8::1/32', '::ffff:10.0.0.0/104', '192.0.2.1', 'fe80::1%eth0/64'].map((c) => parseCidr(c)?.text)).toEqual([
      '10.1.2.0/24', '2001:db8::/32', '10.0.0.0/8', '192.0.2.1/32', 'fe80::/64',
    ]);
    expect(['10.1/8', '0x0a.0.0.0/8', '10.0.0.0/33', '10.0.0.0/-1', 'x'].map((c) => parseCidr(c))).toEqual([null, null, null, null, null]);
  });
});
