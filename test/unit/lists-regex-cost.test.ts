import { describe, expect, it } from 'vitest';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { categories } from '../../resolver/src/lists/categories.js';
import { CompiledMatcher, compileRules } from '../../resolver/src/lists/domain-matcher.js';
import { explainName } from '../../resolver/src/lists/snapshot-build.js';
import { requiredLiteral } from '../../resolver/src/lists/linear-regex.js';
import { MatcherBuilder } from '../../resolver/src/lists/matcher-builder.js';
import { compileSourceText } from '../../resolver/src/lists/source-compiler.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Regex rules run on names clients choose: a backtracking pattern must cost a bounded,
// small time on any name (a 63-byte label took the process down before), and patterns no
// linear-time engine can run are refused when the list is read, each reported with its line.

const ADS = categories.bit('ads')!;

function snapshot(text: string, maxRegex = 1000) {
  const b = new MatcherBuilder();
  const stats = compileSourceText(text, 'adblock', b.setFor(ADS), maxRegex, b);
  return { m: new CompiledMatcher(b.build()), stats };
}

/** Median µs of one match() call on `name` (median of 5 batches). */
function costUs(m: CompiledMatcher, name: string, calls = 200): number {
  const w = WireName.fromText(name);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < calls; i++) m.match(w.buf, w.labelOffsets, w.labelCount);
    runs.push(((performance.now() - t) * 1000) / calls);
  }
  return runs.sort((a, b) => a - b)[2];
}

function mask(m: CompiledMatcher, name: string): number {
  const w = WireName.fromText(name);
  return m.match(w.buf, w.labelOffsets, w.labelCount)[0];
}

describe('lists: regex rules run in bounded time', () => {
  it('/^(a+)+\\.com$/ costs microseconds on 24- and 63-character labels and still matches', () => {
    const { m, stats } = snapshot('/^(a+)+\\.com$/\n');
    expect(stats.regex).toBe(1);
    for (const n of [24, 63]) {
      const us = costUs(m, `${'a'.repeat(n)}.org`, 50);
      console.log(`regex cost: /^(a+)+\\.com$/ on a ${n}-character label: ${us.toFixed(1)} µs per lookup`);
      // the backtracking engine alone: 180 ms at 24 characters, hours at 63
      expect(us).toBeLessThan(2000);
    }
    expect(mask(m, `${'a'.repeat(63)}.com`)).toBe(1 << ADS);
    expect(mask(m, `${'a'.repeat(63)}.org`)).toBe(0);
  });

  it('a policy\'s own regex rule is bounded the same way', () => {
    const { matcher, invalid } = compileRules(['/^(a+)+\\.com$/'], categories.bit('custom')!, 'policy:test');
    expect(invalid).toEqual([]);
    const w = WireName.fromText(`${'a'.repeat(63)}.org`);
    const t = performance.now();
    expect(matcher.matches(w.buf, w.labelOffsets, w.labelCount)).toBe(false);
    expect(performance.now() - t).toBeLessThan(50);
  });

  it('explaining a name runs the rules bounded too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestguard-regex-'));
    writeFileSync(join(dir, 'evil.txt'), '/^(a+)+\\.com$/\n');
    const t = performance.now();
    expect(explainName({ kind: 'explain', name: `${'a'.repeat(63)}.org`, sources: [{ name: 'evil', file: join(dir, 'evil.txt'), format: 'adblock' }] })).toEqual([]);
    expect(performance.now() - t).toBeLessThan(100);
  });

  it('refuses patterns that cannot run in linear time, per line, and loads the rest', () => {
    const { m, stats } = snapshot('/^(ad)\\1\\./\n/^ad(?=x)/\n/^track[0-9]+\\./\n/a{5000}/\n/(unclosed/\n');
    expect(stats.regex).toBe(1);
    expect(stats.invalid).toBe(4);
    expect(stats.invalidSample.map((i) => [i.line, i.reason.split(':')[0]])).toEqual([
      [1, 'regular expression refused'],
      [2, 'regular expression refused'],
      [4, 'regular expression refused'],
      [5, 'invalid regular expression'],
    ]);
    expect(mask(m, 'track12.example.org')).toBe(1 << ADS);
    const policy = compileRules(['/^(ad)\\1\\./'], categories.bit('custom')!, 'policy:test');
    expect(policy.invalid[0].reason).toMatch(/cannot run in linear time/);
  });

  it('regex cost per lookup grows with the rule count, and stays bounded on hostile names', () => {
    const rules: string[] = [];
    for (let i = 0; i < 1000; i++) rules.push(`/^(.+[_.-])?ad${i}[sz]?[0-9]*[_.-]/`);
    const names = ['www.example.org', 'a.b.c.cdn.example.com', `${'a'.repeat(63)}.${'a'.repeat(63)}.com`];
    const plain = snapshot('||tracker.example.net^\n').m;
    const base = costUs(plain, names[1], 2000);
    for (const n of [10, 100, 1000]) {
      const { m } = snapshot(rules.slice(0, n).join('\n'));
      const us = names.map((name) => costUs(m, name, Math.max(5, Math.floor(2000 / n))));
      console.log(`regex cost: ${n} rules: ${us.map((u) => u.toFixed(1)).join(' / ')} µs per lookup (short / 6 labels / two 63-byte labels); no regex: ${base.toFixed(2)} µs`);
      // bounded: ~25 µs per rule at worst on the hostile name
      expect(us[2]).toBeLessThan(n * 50);
    }
  });
});

describe('lists: the literal a regex needs, tested before running it', () => {
  it.each([
    ['^ad[0-9]*\\.example\\.', '.example.'],
    ['(^|\\.)doubleclick\\.net$', 'doubleclick.net'],
    ['^(.+[_.-])?track(er)?s?[0-9]*[_.-]', 'track'],
    ['^ads?\\.', ''],
    ['a|bcdef', ''],
    ['^(a+)+\\.com$', '.com'],
    ['metrics?\\d+\\.cdn', 'metric'],
    ['\\bpixel\\b', 'pixel'],
    ['x{2,}yz', ''],
    ['[abc]defg', 'defg'],
  ])('%s -> %s', (pattern, literal) => {
    expect(requiredLiteral(pattern)).toBe(literal);
  });

  it('never skips a name the regex matches (random names against the patterns above)', () => {
    const patterns = ['^ad[0-9]*\\.example\\.', '(^|\\.)doubleclick\\.net$', '^(.+[_.-])?track(er)?s?[0-9]*[_.-]', 'metrics?\\d+\\.cdn', '\\bpixel\\b', '[abc]defg', 'x{2,}yz'];
    const parts = ['ad', 'ad1', 'example', 'doubleclick', 'net', 'tracker', 'track', 's', '2', 'metric', 'metrics9', 'cdn', 'pixel', 'bdefg', 'xxyz', '-', '_'];
    let seed = 7;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    let matched = 0;
    for (let k = 0; k < 20_000; k++) {
      const name = Array.from({ length: 2 + rnd(4) }, () => parts[rnd(parts.length)]).join(rnd(2) ? '.' : '');
      for (const p of patterns) {
        if (!new RegExp(p).test(name)) continue;
        matched++;
        const lit = requiredLiteral(p);
        expect(lit === '' || name.includes(lit), `${p} on ${name}`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(1000);
  });
});
