import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../../console/src/i18n/en.json' with { type: 'json' };
import vi from '../../console/src/i18n/vi.json' with { type: 'json' };
import { REPO_ROOT } from '../helpers/nestguard.js';

// Both catalogues must carry the same keys (a missing Vietnamese key would show English to a
// Vietnamese reader, or a raw key), no empty strings, the same {{placeholders}}, and every key
// the code asks for with t('…') must exist.

type Tree = { [k: string]: string | Tree };

function flatten(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const enKeys = flatten(en as Tree);
const viKeys = flatten(vi as Tree);
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('console translations', () => {
  it('en and vi have exactly the same keys', () => {
    expect([...viKeys.keys()].filter((k) => !enKeys.has(k)), 'only in vi.json').toEqual([]);
    expect([...enKeys.keys()].filter((k) => !viKeys.has(k)), 'only in en.json').toEqual([]);
  });

  it('no value is empty and placeholders match', () => {
    for (const [k, v] of enKeys) {
      expect(v.trim(), `en ${k}`).not.toBe('');
      expect(viKeys.get(k)!.trim(), `vi ${k}`).not.toBe('');
      expect(placeholders(viKeys.get(k)!), `placeholders of ${k}`).toEqual(placeholders(v));
    }
  });

  it('Vietnamese is written with its diacritics, not as bare ASCII', () => {
    const words = [...viKeys.values()].join(' ');
    // a catalogue typed without a Vietnamese keyboard would have none of these
    for (const w of ['Chặn', 'Mạng', 'Chính sách', 'Danh sách chặn', 'Kiểm tra tên miền', 'Báo cáo', 'Quản trị viên', 'Cài đặt', 'Đăng nhập', 'Tổng đài quốc gia bảo vệ trẻ em']) {
      expect(words.toLowerCase(), w).toContain(w.toLowerCase());
    }
  });

  it('every literal key used in the code exists', () => {
    const missing: string[] = [];
    for (const f of sourceFiles(join(REPO_ROOT, 'console/src'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) {
        if (!enKeys.has(m[1])) missing.push(`${f.slice(REPO_ROOT.length + 1)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
