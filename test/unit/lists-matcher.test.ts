import { describe, expect, it } from 'vitest';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { categories } from '../../resolver/src/lists/categories.js';
import { CompiledMatcher, compileRules, type DomainMatcher } from '../../resolver/src/lists/domain-matcher.js';
import { MatcherBuilder } from '../../resolver/src/lists/matcher-builder.js';
import { compileSourceText } from '../../resolver/src/lists/source-compiler.js';

const ADS = categories.bit('ads')!;
const MALWARE = categories.bit('malware')!;
const ADULT = categories.bit('adult')!;

function mask(m: DomainMatcher, name: string): number {
  const w = WireName.fromText(name);
  return m.match(w.buf, w.labelOffsets, w.labelCount)[0];
}

/** A snapshot of several lists, like the list manager compiles. */
function snapshot(lists: Array<[text: string, bit: number]>, maxRegex = 100): CompiledMatcher {
  const b = new MatcherBuilder();
  for (const [text, bit] of lists) compileSourceText(text, 'auto', b.setFor(bit), maxRegex, b);
  return new CompiledMatcher(b.build());
}

describe('lists: matching semantics', () => {
  it('a plain rule covers the name and its subdomains, not siblings or parents', () => {
    const m = snapshot([['ads.example.org\n', ADS]]);
    expect(mask(m, 'ads.example.org')).toBe(1 << ADS);
    expect(mask(m, 'a.b.ads.example.org')).toBe(1 << ADS);
    expect(mask(m, 'example.org')).toBe(0);
    expect(mask(m, 'xads.example.org')).toBe(0);
    expect(mask(m, 'ads.example.org.evil.test')).toBe(0);
    expect(m.size).toBe(1);
  });

  it('matches case-insensitively on the wire bytes', () => {
    const m = snapshot([['||Ads.Example.org^\n', ADS]]);
    const w = WireName.fromText('x.ads.example.org');
    w.buf = Uint8Array.from(w.buf, (c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c)); // X.ADS.EXAMPLE.ORG
    expect(m.match(w.buf, w.labelOffsets, w.labelCount)[0]).toBe(1 << ADS);
  });

  it('exact-only and subdomains-only rules', () => {
    const m = snapshot([['|exact.example.org^\n*.sub.example.org\n', ADS]]);
    expect(mask(m, 'exact.example.org')).toBe(1 << ADS);
    expect(mask(m, 'a.exact.example.org')).toBe(0);
    expect(mask(m, 'sub.example.org')).toBe(0);
    expect(mask(m, 'a.sub.example.org')).toBe(1 << ADS);
    expect(mask(m, 'a.b.sub.example.org')).toBe(1 << ADS);
  });

  it('one name in several categories returns every bit', () => {
    const m = snapshot([['bad.example.org\n', MALWARE], ['0.0.0.0 bad.example.org\n', ADULT]]);
    expect(mask(m, 'www.bad.example.org')).toBe((1 << MALWARE) | (1 << ADULT));
  });

  it('an exception lifts blocks of its own list category only', () => {
    const m = snapshot([
      ['||example.org^\n@@||www.example.org^\n', ADS],
      ['||www.example.org^\n', MALWARE],
    ]);
    expect(mask(m, 'cdn.example.org')).toBe(1 << ADS);
    expect(mask(m, 'www.example.org')).toBe(1 << MALWARE);
    expect(mask(m, 'a.www.example.org')).toBe(1 << MALWARE);
  });

  it('$important blocks survive exceptions, @@...$important lifts them', () => {
    const m = snapshot([[
      '||imp.example.org^$important\n@@||imp.example.org^\n||lift.example.org^$important\n@@||lift.example.org^$important\n', ADS,
    ]]);
    expect(mask(m, 'imp.example.org')).toBe(1 << ADS);
    expect(mask(m, 'lift.example.org')).toBe(0);
  });

  it('RPZ passthru exempts exactly its name', () => {
    const m = snapshot([['$ORIGIN rpz.test.\n*.example.org CNAME .\nok.example.org CNAME rpz-passthru.\n', ADS]]);
    expect(mask(m, 'ok.example.org')).toBe(0);
    expect(mask(m, 'no.example.org')).toBe(1 << ADS);
  });

  it('regular expressions match, exceptions apply, and lists.max_regex caps them', () => {
    const b = new MatcherBuilder();
    const stats = compileSourceText('/^ad[0-9]+\\./\n@@/^ad7\\./\n/^track/\n/^never/\n', 'adblock', b.setFor(ADS), 3, b);
    expect(stats.regex).toBe(3);
    expect(stats.regexOverCap).toBe(1);
    const m = new CompiledMatcher(b.build());
    expect(mask(m, 'ad12.example.org')).toBe(1 << ADS);
    expect(mask(m, 'ad7.example.org')).toBe(0);
    expect(mask(m, 'track.example.org')).toBe(1 << ADS);
    expect(mask(m, 'never.example.org')).toBe(0);
  });

  it('categories beyond one 32-bit word: names listed under several combine, exceptions lift per category', () => {
    const m = snapshot([
      ['shared.example.org\nonly70.example.org\n', 70],
      ['shared.example.org\n', 40],
      ['||shared.example.org^\n@@||ok.shared.example.org^\n', 3],
    ]);
    const words = (name: string) => {
      const w = WireName.fromText(name);
      return [...m.match(w.buf, w.labelOffsets, w.labelCount)];
    };
    expect(words('a.shared.example.org')).toEqual([1 << 3, 1 << 8, 1 << 6]);
    expect(words('ok.shared.example.org')).toEqual([0, 1 << 8, 1 << 6]); // the exception is list 3's own
    expect(words('only70.example.org')).toEqual([0, 0, 1 << 6]);
    expect(words('example.org')).toEqual([0, 0, 0]);
  });

  it('an empty snapshot matches nothing', () => {
    const m = new CompiledMatcher(new MatcherBuilder().build());
    expect(mask(m, 'example.org')).toBe(0);
    expect(m.size).toBe(0);
  });

  it('lookups stay correct in a large table (no false positives among 100k siblings)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`n${i}.example.org`);
    const m = snapshot([[lines.join('\n'), ADS]]);
    expect(m.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(mask(m, `x.n${i}.example.org`)).toBe(1 << ADS);
    for (let i = 100_000; i < 120_000; i++) expect(mask(m, `n${i}.example.org`)).toBe(0);
  });
});

describe('lists: compileRules (a policy\'s own rules)', () => {
  it('mixes syntaxes per line and reports invalid lines with their numbers', () => {
    const { matcher, invalid } = compileRules(
      ['||a.example.org^', '0.0.0.0 b.example.org', 'address=/c.example.org/#', '*.d.example.org', 'not valid!', '|e.example.org^', '@@||ok.a.example.org^'],
      categories.bit('custom')!,
      'policy:test',
    );
    const bit = 1 << categories.bit('custom')!;
    expect(invalid).toEqual([{ line: 5, text: 'not valid!', reason: expect.any(String) }]);
    expect(mask(matcher, 'x.a.example.org')).toBe(bit);
    expect(mask(matcher, 'ok.a.example.org')).toBe(0);
    expect(mask(matcher, 'b.example.org')).toBe(bit);
    expect(mask(matcher, 'c.example.org')).toBe(bit);
    expect(mask(matcher, 'd.example.org')).toBe(0);
    expect(mask(matcher, 'x.d.example.org')).toBe(bit);
    expect(mask(matcher, 'e.example.org')).toBe(bit);
    expect(mask(matcher, 'x.e.example.org')).toBe(0);
  });

  it('refuses a category that is not a bit index', () => {
    expect(() => compileRules(['a.example'], -1, 'policy:x')).toThrow(/lists: policy:x/);
    expect(() => compileRules(['a.example'], 1.5, 'policy:x')).toThrow(/lists: policy:x/);
  });
});
