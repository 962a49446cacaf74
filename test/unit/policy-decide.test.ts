import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../resolver/src/config/config-schema.js';
import { encodeName } from '../../resolver/src/dns/wire.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { categories } from '../../resolver/src/lists/categories.js';
import { CompiledMatcher, type DomainMatcher } from '../../resolver/src/lists/domain-matcher.js';
import { MatcherBuilder } from '../../resolver/src/lists/matcher-builder.js';
import { compileMixedLines } from '../../resolver/src/lists/source-compiler.js';
import { PolicyService } from '../../resolver/src/policy/policy-service.js';
import { Action, Decision, type NetworkRuntime } from '../../resolver/src/policy/policy-types.js';
import { safeSearchHosts } from '../../resolver/src/policy/safe-search.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';

// Decision tables: every row goes through the hot path (PolicyService.decide) and through the
// explaining path (explain -> decide), which must agree; the expected outcome of each row is
// written by hand. Below them, random policies, lists and names are checked against an
// independent model of the documented precedence (allow > deny > blocked category > allow),
// written here over plain strings, not with the engine's matchers.

const bit = (c: string) => categories.bit(c)!;

function listMatcher(byCategory: Record<string, string[]>): DomainMatcher {
  const b = new MatcherBuilder();
  for (const [cat, names] of Object.entries(byCategory)) compileMixedLines(names, b.setFor(bit(cat)), 100, b);
  return new CompiledMatcher(b.build());
}

const lists = listMatcher({
  adult: ['adult.test', 'both.test'],
  gambling: ['bet.test', 'both.test'],
  games: ['game.test'],
  social: ['social.test'],
  streaming: ['www.youtube.com'],
});

const config: Pick<Config, 'policies' | 'networks'> = {
  policies: [
    {
      name: 'family',
      block: ['adult', 'gambling'],
      deny: ['ok.test', '||evil.test^'],
      allow: ['good.adult.test', 'ok.evil.test'],
      safe_search: { google: true, youtube: 'strict', bing: true, duckduckgo: true, pixabay: true },
      schedules: [
        { name: 'school-nights', days: ['sun', 'mon', 'tue', 'wed', 'thu'], from: '21:00', to: '06:00', block: ['social'], except: [{ from: '2025-02-02', to: '2025-02-02', name: 'Tet' }] },
        { name: 'homework', days: ['mon'], from: '15:00', to: '17:00', deny: ['video.test'], allow: ['edu.adult.test'] },
      ],
    },
    { name: 'gambling-only', block: ['gambling'], safe_search: { youtube: 'moderate' } },
    { name: 'kindergarten', block: ['streaming'], safe_search: { youtube: 'strict', google: true } },
    { name: 'open' },
    { name: 'null-mode', block: ['adult'], block_mode: 'null', block_ttl: 10 },
    { name: 'refused-mode', block: ['adult'], block_mode: 'refused' },
    { name: 'custom-mode', block: ['adult'], block_mode: 'custom', block_ips: ['192.0.2.7', '2001:db8::7'], block_ttl: 0 },
  ],
  networks: [
    { name: 'home', policy: 'family', cidrs: ['10.0.0.0/8'] },
    { name: 'berlin', policy: 'family', timezone: 'Europe/Berlin', cidrs: ['10.2.0.0/16'] },
    { name: 'casino-free', policy: 'gambling-only', cidrs: ['10.3.0.0/16'] },
    { name: 'kg', policy: 'kindergarten', cidrs: ['10.4.0.0/16'] },
    { name: 'open', policy: 'open', cidrs: ['10.5.0.0/16'] },
    { name: 'null', policy: 'null-mode' },
    { name: 'refused', policy: 'refused-mode' },
    { name: 'custom', policy: 'custom-mode' },
  ],
};

let dir: string;
let db: Db;
let engine: PolicyService;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-policy-'));
  db = openDatabase(join(dir, 'nestguard.db'));
  engine = new PolicyService({ db, config, lists: () => lists, logger: pino({ level: 'silent' }) });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function net(name: string): NetworkRuntime {
  const n = engine.network(name);
  if (!n) throw new Error(`no network ${name}`);
  return n;
}

const out = new Decision();
/** Runs both paths; returns the hot-path outcome in a compact form. */
function run(network: string, name: string, at = '2025-01-08T05:00:00Z', qtype = 1): string {
  const w = WireName.fromText(name);
  // the query path hands the packet's own (mixed-case) bytes: test with upper case too
  const upper = new Uint8Array(w.buf).map((c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c));
  const ms = Date.parse(at);
  const action = engine.decide(net(network), upper, w.labelOffsets, w.labelCount, qtype, ms, out);
  const reason = engine.explain(network, name, qtype, new Date(ms));
  expect(reason.action).toBe(['allow', 'block', 'rewrite'][action]);
  if (action === Action.Block) return `block ${out.category === -1 ? 'rule' : categories.name(out.category)}`;
  if (action === Action.Rewrite) return `rewrite ${Buffer.from(out.rewriteTarget!).equals(encodeName(reason.safeSearch!.target)) ? reason.safeSearch!.target : 'MISMATCH'}`;
  return 'allow';
}

describe('precedence', () => {
  it.each([
    ['home', 'example.test', 'allow'],
    ['home', 'adult.test', 'block adult'],
    ['home', 'www.adult.test', 'block adult'],
    ['home', 'good.adult.test', 'allow'], // policy allow beats a list category
    ['home', 'x.good.adult.test', 'allow'],
    ['home', 'bet.test', 'block gambling'],
    ['home', 'both.test', 'block adult'], // in two categories: the lowest bit is reported
    ['casino-free', 'both.test', 'block gambling'], // only gambling blocked here
    ['casino-free', 'adult.test', 'allow'],
    ['home', 'evil.test', 'block rule'], // policy deny rule
    ['home', 'a.evil.test', 'block rule'],
    ['home', 'ok.evil.test', 'allow'], // allow beats deny
    ['home', 'ok.test', 'block rule'], // plain name in deny: the name and below
    ['home', 'game.test', 'allow'], // in a list, category not blocked by this policy
    ['open', 'adult.test', 'allow'],
    ['open', 'www.google.com', 'allow'], // no safe search configured
  ])('%s %s -> %s', (network, name, expected) => {
    expect(run(network, name)).toBe(expected);
  });
});

describe('safe search', () => {
  it.each([
    ['home', 'www.google.com', 'rewrite forcesafesearch.google.com'],
    ['home', 'google.com', 'rewrite forcesafesearch.google.com'],
    ['home', 'www.google.com.vn', 'rewrite forcesafesearch.google.com'],
    ['home', 'google.com.vn', 'rewrite forcesafesearch.google.com'],
    ['home', 'www.google.co.uk', 'rewrite forcesafesearch.google.com'],
    ['home', 'www.google.de', 'rewrite forcesafesearch.google.com'],
    ['home', 'mail.google.com', 'allow'],
    ['home', 'google.example.test', 'allow'],
    ['home', 'www.youtube.com', 'rewrite restrict.youtube.com'],
    ['home', 'm.youtube.com', 'rewrite restrict.youtube.com'],
    ['home', 'youtubei.googleapis.com', 'rewrite restrict.youtube.com'],
    ['home', 'youtube.googleapis.com', 'rewrite restrict.youtube.com'],
    ['home', 'www.youtube-nocookie.com', 'rewrite restrict.youtube.com'],
    ['casino-free', 'www.youtube.com', 'rewrite restrictmoderate.youtube.com'],
    ['casino-free', 'www.google.com', 'allow'],
    ['home', 'www.bing.com', 'rewrite strict.bing.com'],
    ['home', 'duckduckgo.com', 'rewrite safe.duckduckgo.com'],
    ['home', 'www.duckduckgo.com', 'rewrite safe.duckduckgo.com'],
    ['home', 'start.duckduckgo.com', 'rewrite safe.duckduckgo.com'],
    ['home', 'pixabay.com', 'rewrite safesearch.pixabay.com'],
    // targets are never rewritten: no CNAME loop
    ['home', 'forcesafesearch.google.com', 'allow'],
    ['home', 'restrict.youtube.com', 'allow'],
    ['casino-free', 'restrictmoderate.youtube.com', 'allow'],
    ['home', 'strict.bing.com', 'allow'],
    ['home', 'safe.duckduckgo.com', 'allow'],
    ['home', 'safesearch.pixabay.com', 'allow'],
    // a blocked category stays blocked: no restricted-mode YouTube for a kindergarten blocking streaming
    ['kg', 'www.youtube.com', 'block streaming'],
    ['kg', 'm.youtube.com', 'rewrite restrict.youtube.com'],
  ])('%s %s -> %s', (network, name, expected) => {
    expect(run(network, name)).toBe(expected);
  });

  it('rewrites every query type, so HTTPS records cannot leak the unfiltered addresses', () => {
    for (const qtype of [1, 28, 65, 255, 16]) expect(run('home', 'www.google.com', undefined, qtype)).toBe('rewrite forcesafesearch.google.com');
  });

  it('covers the Google search domains in bulk, bare and www', () => {
    const hosts = safeSearchHosts('google');
    expect(hosts.length).toBeGreaterThan(300);
    for (const h of hosts) expect(run('home', h)).toBe('rewrite forcesafesearch.google.com');
  });
});

// 2025-01-05 is a Sunday. Asia/Ho_Chi_Minh is UTC+7 all year; Europe/Berlin is UTC+1/UTC+2.
describe('schedules', () => {
  it.each([
    ['home', '2025-01-05T13:59:00Z', 'allow'], // Sun 20:59 local
    ['home', '2025-01-05T14:00:00Z', 'block social'], // Sun 21:00
    ['home', '2025-01-05T22:59:00Z', 'block social'], // Mon 05:59: the Sunday night window
    ['home', '2025-01-05T23:00:00Z', 'allow'], // Mon 06:00
    ['home', '2025-01-09T22:00:00Z', 'block social'], // Fri 05:00: Thursday's night
    ['home', '2025-01-10T14:30:00Z', 'allow'], // Fri 21:30: not a school night
    ['home', '2025-01-10T22:00:00Z', 'allow'], // Sat 05:00: belongs to Friday
    ['home', '2025-02-02T14:30:00Z', 'allow'], // Sun 21:30 on the holiday
    ['home', '2025-02-02T22:00:00Z', 'allow'], // Mon 05:00: still the holiday's night
    ['home', '2025-02-03T14:30:00Z', 'block social'], // Mon 21:30: the holiday is over
    ['berlin', '2025-01-06T14:30:00Z', 'allow'], // Mon 15:30 in Berlin (21:30 in Ho Chi Minh City)
    ['berlin', '2025-01-06T20:30:00Z', 'block social'], // Mon 21:30 CET
    ['berlin', '2025-07-06T18:59:00Z', 'allow'], // Sun 20:59 CEST
    ['berlin', '2025-07-06T19:00:00Z', 'block social'], // Sun 21:00 CEST
    ['berlin', '2025-07-07T03:59:00Z', 'block social'], // Mon 05:59 CEST
    ['berlin', '2025-07-07T04:00:00Z', 'allow'],
  ])('%s social.test at %s -> %s', (network, at, expected) => {
    expect(run(network, 'social.test', at)).toBe(expected);
  });

  it.each([
    ['video.test', '2025-01-06T08:30:00Z', 'block rule'], // Mon 15:30: the homework deny rule
    ['video.test', '2025-01-06T10:00:00Z', 'allow'], // Mon 17:00: window over
    ['edu.adult.test', '2025-01-06T08:30:00Z', 'allow'], // schedule allow beats the list
    ['edu.adult.test', '2025-01-06T10:30:00Z', 'block adult'],
  ])('schedule rules: %s at %s -> %s', (name, at, expected) => {
    expect(run('home', name, at)).toBe(expected);
  });

  it('keeps the per-minute state honest when the clock jumps back and forth', () => {
    const times = ['2025-01-05T14:00:00Z', '2025-01-05T13:59:00Z', '2025-01-05T14:00:30Z', '2025-01-05T23:00:00Z', '2025-01-05T22:59:59Z'];
    expect(times.map((t) => run('home', 'social.test', t))).toEqual(['block social', 'allow', 'block social', 'allow', 'block social']);
  });
});

describe('block modes', () => {
  it.each([
    ['home', { mode: 'nxdomain', ttl: 60, ipv4: [], ipv6: [] }],
    ['null', { mode: 'null', ttl: 10, ipv4: [], ipv6: [] }],
    ['refused', { mode: 'refused', ttl: 60, ipv4: [], ipv6: [] }],
    ['custom', { mode: 'custom', ttl: 0, ipv4: [Uint8Array.from([192, 0, 2, 7])], ipv6: [Uint8Array.from([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7])] }],
  ])('%s', (network, spec) => {
    expect(net(network).block).toEqual(spec);
    expect(run(network, 'adult.test')).toBe('block adult');
  });
});

describe('explain', () => {
  const at = new Date('2025-01-06T08:30:00Z'); // Mon 15:30 in Ho Chi Minh City
  it.each([
    ['adult.test', { action: 'block', network: 'home', policy: 'family', category: 'adult', detail: 'category blocked', summary: 'blocked: category adult' }],
    ['a.evil.test', { action: 'block', network: 'home', policy: 'family', detail: 'deny rule', rule: { text: '||evil.test^', source: 'policy:family', line: 2 }, summary: 'blocked: rule "||evil.test^"' }],
    ['video.test', { action: 'block', network: 'home', policy: 'family', detail: 'deny rule', schedule: 'homework', rule: { text: 'video.test', source: 'policy:family', line: 1 }, summary: "blocked: rule \"video.test\", schedule 'homework'" }],
    ['good.adult.test', { action: 'allow', network: 'home', policy: 'family', detail: 'allow rule', rule: { text: 'good.adult.test', source: 'policy:family', line: 1 }, summary: 'allowed: rule "good.adult.test"' }],
    ['social.test', { action: 'allow', network: 'home', policy: 'family', detail: 'category not blocked now', category: 'social', summary: 'allowed: category social (not blocked now)' }],
    ['Example.Test.', { action: 'allow', network: 'home', policy: 'family', detail: 'no match', summary: 'allowed: no match' }],
    ['www.google.com', { action: 'rewrite', network: 'home', policy: 'family', detail: 'safe search', safeSearch: { engine: 'google', target: 'forcesafesearch.google.com' }, summary: 'rewritten: safe search (forcesafesearch.google.com)' }],
  ])('%s', (name, reason) => {
    expect(engine.explain('home', name, 1, at)).toEqual(reason);
  });

  it('names the schedule that made a category blocked', () => {
    expect(engine.explain('home', 'social.test', 1, new Date('2025-01-05T14:00:00Z'))).toEqual({
      action: 'block', network: 'home', policy: 'family', category: 'social', schedule: 'school-nights', detail: 'category blocked',
      summary: "blocked: category social, schedule 'school-nights'",
    });
  });

  it('rejects unknown networks and invalid names with the stage prefix', () => {
    expect(() => engine.explain('nope', 'a.test', 1, at)).toThrow('policy: unknown network "nope"');
    expect(() => engine.explain('home', 'bad name', 1, at)).toThrow(/^policy: not a domain name/);
  });
});

it('uses the well-known bits so masks agree with lists and stats', () => {
  expect([bit('adult'), bit('gambling'), bit('social')]).toEqual([0, 1, 7]);
});

describe('random policies against an independent model of the precedence', () => {
  const CATS = ['adult', 'gambling', 'games', 'social', 'streaming', 'drugs'];
  const LABELS = ['a', 'b', 'c', 'ab', 'x'];
  // a small deterministic generator: a failure names its seed and replays the same way
  let seed = 0x2545f491;
  const rnd = (n: number) => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const randomName = () => {
    const depth = 1 + rnd(3);
    const parts: string[] = [];
    for (let i = 0; i < depth; i++) parts.push(LABELS[rnd(LABELS.length)]);
    return `${parts.join('.')}.test`;
  };
  const some = <T>(from: readonly T[], max: number) => Array.from({ length: rnd(max + 1) }, () => from[rnd(from.length)]);
  /** the name and every name under it: the meaning of a plain rule */
  const covers = (rule: string, name: string) => name === rule || name.endsWith(`.${rule}`);

  it('agrees on every decision, and flags the allow-rule decisions', () => {
    const listed: Record<string, string[]> = Object.fromEntries(CATS.map((c) => [c, some([...Array(40)].map(randomName), 6)]));
    const matcher = listMatcher(listed);
    const policies = Array.from({ length: 12 }, (_, i) => ({
      name: `p${i}`,
      block: [...new Set(some(CATS, 4))],
      allow: [...new Set(some([...Array(40)].map(randomName), 3))],
      deny: [...new Set(some([...Array(40)].map(randomName), 3))],
    }));
    const randomConfig: Pick<Config, 'policies' | 'networks'> = {
      policies,
      networks: policies.map((p, i) => ({ name: `n${i}`, policy: p.name, cidrs: [`10.9.${i}.0/24`] })),
    };
    const rdir = mkdtempSync(join(tmpdir(), 'nestguard-policy-model-'));
    const rdb = openDatabase(join(rdir, 'nestguard.db'));
    try {
      const e = new PolicyService({ db: rdb, config: randomConfig, lists: () => matcher, logger: pino({ level: 'silent' }) });
      const d = new Decision();
      let blocks = 0;
      let allowRules = 0;
      for (let q = 0; q < 3000; q++) {
        const i = rnd(policies.length);
        const p = policies[i];
        const name = randomName();
        // the model
        let expected: string;
        const allowed = p.allow.some((r) => covers(r, name));
        if (allowed) expected = 'allow';
        else if (p.deny.some((r) => covers(r, name))) expected = 'block rule';
        else {
          const hit = CATS.filter((c) => p.block.includes(c) && listed[c].some((r) => covers(r, name)));
          const lowest = hit.sort((a, b) => bit(a) - bit(b))[0];
          expected = lowest === undefined ? 'allow' : `block ${lowest}`;
        }
        // the engine
        const w = WireName.fromText(name);
        const action = e.decide(e.network(`n${i}`)!, w.buf, w.labelOffsets, w.labelCount, 1, Date.UTC(2025, 0, 8), d);
        const got = action === Action.Block ? `block ${d.category === -1 ? 'rule' : categories.name(d.category)}` : action === Action.Allow ? 'allow' : 'rewrite';
        expect(got, `${p.name} ${name} (seed state ${seed})`).toBe(expected);
        expect(d.allowRule, `${p.name} ${name}: allow rule flag`).toBe(allowed);
        if (action === Action.Block) blocks++;
        if (allowed) allowRules++;
      }
      // the sample exercised every branch
      expect(blocks).toBeGreaterThan(100);
      expect(allowRules).toBeGreaterThan(20);
      e.stop();
    } finally {
      rdb.close();
      rmSync(rdir, { recursive: true, force: true });
    }
  });
});
