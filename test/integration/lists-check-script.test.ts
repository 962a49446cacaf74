import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('refuses a binary file, and never echoes control bytes of a bad line', () => {
    const run = (file: string) => spawnSync(process.execPath, [join(ROOT, 'dist/scripts/lists.js'), 'check', file], { encoding: 'utf8' });
    const bin = run('/bin/ls');
    expect(bin.status).toBe(1);
    expect(bin.stdout).toMatch(/verdict:\s+refused: not a text list: a NUL byte/);
    const dir = mkdtempSync(join(tmpdir(), 'nestguard-check-'));
    writeFileSync(join(dir, 'ctl.txt'), 'ads.example.org\ntracker.example.org\n\u001b[2Jbad\u0007 line\n');
    const ctl = run(join(dir, 'ctl.txt'));
    expect(ctl.status).toBe(0);
    expect(ctl.stdout).toContain('line 3: more than one token: \\x1b[2Jbad\\x07 line');
    // nothing below the space character but line ends
    expect(/[\u0000-\u0009\u000b-\u001f\u007f]/.test(ctl.stdout + bin.stdout)).toBe(false);
  });

  it('fails with a usage message on bad arguments', () => {
    expect(() => execFileSync(process.execPath, [join(ROOT, 'dist/scripts/lists.js'), 'frobnicate'], { stdio: 'pipe' })).toThrow(/usage: npm run lists -- check/);
  });
});
