import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm run lists -- check FILE` as an operator runs it (compiled by `npm run build`).
const ROOT = join(import.meta.dirname, '../..');

describe('lists: check script', () => {
  it('reports the detected format, counts per kind, invalid lines with numbers, time and memory', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'dist/scripts/lists.js'), 'check', join(ROOT, 'test/fixtures/lists/adblock.txt')], { encoding: 'utf8' });
    expect(out).toMatch(/format:\s+adblock \(detected\)/);
    expect(out).toMatch(/rules:\s+block 6, allow 3, important 2, regex 2/);
    expect(out).toMatch(/skipped:\s+4/);
    expect(out).toMatch(/invalid:\s+2/);
    expect(out).toMatch(/line 19: unterminated regular expression: \/unterminated/);
    expect(out).toMatch(/load time:\s+\d+ ms/);
    expect(out).toMatch(/memory:\s+RSS/);
  });

  it('fails with a usage message on bad arguments', () => {
    expect(() => execFileSync(process.execPath, [join(ROOT, 'dist/scripts/lists.js'), 'frobnicate'], { stdio: 'pipe' })).toThrow(/usage: npm run lists -- check/);
  });
});
