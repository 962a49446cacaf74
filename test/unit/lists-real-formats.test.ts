import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseText } from '../../resolver/src/lists/list-format.js';
import type { RuleSink } from '../../resolver/src/lists/rule-types.js';

// The same Block List Project category published in four syntaxes must read as one set.
const REAL = '/work/shared/blocklists-real';
const FORMATS = { hosts: 'hosts', adguard: 'adblock', domains: 'domains', dnsmasq: 'dnsmasq' } as const;

function names(file: string): { set: Set<string>; invalid: number; format: string } {
  const text = readFileSync(file, 'utf8');
  const format = detectFormat(text);
  const set = new Set<string>();
  let invalid = 0;
  const sink: RuleSink = {
    name: (n, action, scope) => set.add(`${action}:${scope}:${n}`),
    regex: () => { throw new Error('no regex expected'); },
    skipped: () => {},
    invalid: () => { invalid++; },
  };
  parseText(text, format, sink);
  return { set, invalid, format };
}

describe.skipIf(!existsSync(REAL))('lists: real-world list in four formats', () => {
  it.each(['drugs', 'scam', 'piracy', 'tiktok', 'vaping'])('%s: hosts, adblock, domains and dnsmasq give the same rules', (cat) => {
    const results = Object.entries(FORMATS).map(([dir, format]) => ({ format, ...names(`${REAL}/${dir}/${cat}.txt`) }));
    for (const r of results) {
      expect(r.invalid).toBe(0);
    }
    expect(results.map((r) => r.format)).toEqual(Object.values(FORMATS));
    const [first, ...rest] = results;
    expect(first.set.size).toBeGreaterThan(100);
    for (const r of rest) expect(r.set).toEqual(first.set);
  });
});
