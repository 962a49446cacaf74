import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, detectLineFormat, forEachLine, parseText } from '../../resolver/src/lists/list-format.js';
import { RuleAction, RuleScope, type ListFormatName, type RuleSink } from '../../resolver/src/lists/rule-types.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/lists');
const ACTION = ['block', 'allow', 'important', 'allow-important'];
const SCOPE = ['tree', 'exact', 'sub'];

interface Collected {
  rules: string[];
  regexes: string[];
  invalid: Array<{ line: number; reason: string }>;
  skipped: Record<string, number>;
}

function collect(text: string, format: ListFormatName): Collected {
  const c: Collected = { rules: [], regexes: [], invalid: [], skipped: {} };
  const sink: RuleSink = {
    name: (name, action, scope, line) => c.rules.push(`${line} ${ACTION[action]} ${SCOPE[scope]} ${name}`),
    regex: (pattern, action, line) => c.regexes.push(`${line} ${ACTION[action]} ${pattern}`),
    skipped: (reason) => { c.skipped[reason] = (c.skipped[reason] ?? 0) + 1; },
    invalid: (line, _text, reason) => c.invalid.push({ line, reason }),
  };
  parseText(text, format, sink);
  return c;
}

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('lists: line splitting', () => {
  it('handles BOM, CRLF, lone CR and a missing final newline with 1-based numbers', () => {
    const seen: string[] = [];
    forEachLine('\ufeffa\r\nb\rc\n\nd', (l, n) => { seen.push(`${n}:${l}`); });
    expect(seen).toEqual(['1:a', '2:b', '3:c', '4:', '5:d']);
  });
});

describe('lists: hosts parser', () => {
  const c = collect(fixture('hosts.txt'), 'hosts');
  it('reads sinkhole lines, several names per line, IDN, wildcards, odd whitespace', () => {
    expect(c.rules).toEqual([
      '11 block tree ads.example.org',
      '12 block tree tracker.example.org',
      '12 block tree metrics.example.org',
      '13 block tree v6.example.org',
      '14 block tree spaced.example.org',
      '15 block tree xn--bcher-kva.example',
      '16 block sub wild.example.org',
    ]);
  });
  it('skips the preamble and non-sinkhole addresses, reports bad lines with numbers', () => {
    expect(c.skipped).toEqual({ 'hosts: preamble name': 4, 'hosts: non-blocking address': 3 });
    expect(c.invalid.map((i) => i.line)).toEqual([18, 19, 20]);
    expect(c.invalid[0].reason).toMatch(/invalid name/);
  });
});

describe('lists: domains parser', () => {
  const c = collect(fixture('domains.txt'), 'domains');
  it('normalises case, trailing dot, IDN; `*.` is subdomains only, a leading dot is ignored', () => {
    expect(c.rules).toEqual([
      '2 block tree example.com',
      '3 block tree sub.example.net',
      '4 block sub wild.example.com',
      '5 block tree dotted.example.com',
      '6 block tree xn--mnchen-3ya.example',
    ]);
    expect(c.invalid.map((i) => i.line)).toEqual([7, 8, 9]);
  });
});

describe('lists: adblock parser', () => {
  const c = collect(fixture('adblock.txt'), 'adblock');
  it('reads ||, |, @@, $important and regex rules', () => {
    expect(c.rules).toEqual([
      '4 block tree ads.example.org',
      '5 block exact exact.example.org',
      '6 block sub wild.example.org',
      '7 allow tree good.ads.example.org',
      '8 important tree important.example.org',
      '9 allow tree important.example.org',
      '10 allow-important tree lifted.example.org',
      '11 important tree lifted.example.org',
      '13 block tree all.example.org',
      '21 block tree hostsline.example.org',
      '22 block tree plain.example.org',
    ]);
    expect(c.regexes).toEqual(['17 block ^ad[0-9]+\\.example\\.net$', '18 allow ^ad7\\.example\\.net$']);
  });
  it('skips what a DNS filter cannot honour, counted by reason', () => {
    expect(c.skipped).toEqual({ 'adblock: modifier $third-party': 1, 'adblock: cosmetic rule': 2, 'adblock: path or port rule': 1 });
    expect(c.invalid.map((i) => i.line)).toEqual([19, 20]);
  });
});

describe('lists: dnsmasq parser', () => {
  const c = collect(fixture('dnsmasq.txt'), 'dnsmasq');
  it('reads address=, server= and local= blocks, several names per directive', () => {
    expect(c.rules).toEqual([
      '2 block tree ads.example.org',
      '3 block tree nx.example.org',
      '4 block tree hash.example.org',
      '5 block tree multi1.example.org',
      '5 block tree multi2.example.org',
      '6 block tree srv.example.org',
      '7 block tree local.example.org',
    ]);
  });
  it('skips forwards, redirects and other directives; flags garbage', () => {
    expect(c.skipped).toEqual({ 'dnsmasq: server to a real target': 1, 'dnsmasq: address to a real target': 1, 'dnsmasq: unsupported directive': 1 });
    expect(c.invalid.map((i) => i.line)).toEqual([11]);
  });
});

describe('lists: rpz parser', () => {
  const c = collect(fixture('rpz.txt'), 'rpz');
  it('reads CNAME . / *. / rpz-drop. as blocks and rpz-passthru. as exceptions, relative to $ORIGIN', () => {
    expect(c.rules).toEqual([
      '8 block exact exact.example.org',
      '9 block sub sub.example.org',
      '10 block exact nodata.example.org',
      '11 block exact drop.example.org',
      '12 allow exact ok.example.org',
      '13 block exact abs.example.com',
    ]);
  });
  it('ignores SOA/NS (multi-line too), skips local data and IP triggers, rejects owners outside the zone', () => {
    expect(c.skipped).toEqual({ 'rpz: local data': 2, 'rpz: non-name trigger': 1 });
    expect(c.invalid).toEqual([{ line: 14, reason: expect.stringContaining('outside $ORIGIN') }]);
  });
});

describe('lists: regex parser', () => {
  const c = collect(fixture('regex.txt'), 'regex');
  it('reads one expression per line, slashes optional, @@ for exceptions', () => {
    expect(c.regexes).toEqual(['2 block ^ad[0-9]*\\.', '3 block (^|\\.)doubleclick\\.net$', '4 block ^track\\.', '5 allow ^ad7\\.']);
    expect(c.invalid.map((i) => i.line)).toEqual([6]);
  });
});

describe('lists: format detection', () => {
  it.each([
    ['hosts.txt', 'hosts'],
    ['domains.txt', 'domains'],
    ['adblock.txt', 'adblock'],
    ['dnsmasq.txt', 'dnsmasq'],
    ['rpz.txt', 'rpz'],
  ] as const)('%s is %s', (file, format) => {
    expect(detectFormat(fixture(file))).toBe(format);
  });
  it('detects single lines for mixed rule sets', () => {
    expect(detectLineFormat('||a.example^')).toBe('adblock');
    expect(detectLineFormat('@@a.example')).toBe('adblock');
    expect(detectLineFormat('/^ads?\\./')).toBe('adblock');
    expect(detectLineFormat('address=/a.example/#')).toBe('dnsmasq');
    expect(detectLineFormat('0.0.0.0 a.example')).toBe('hosts');
    expect(detectLineFormat('a.example CNAME .')).toBe('rpz');
    expect(detectLineFormat('*.a.example')).toBe('domains');
    expect(detectLineFormat('  # comment')).toBeNull();
  });
});
