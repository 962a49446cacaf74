import { describe, expect, it } from 'vitest';
import { parseServiceCatalog, readServiceCatalog } from '../../resolver/src/lists/service-catalog.js';

// The shipped catalog (blocklists/services/) is checked like code: it parses, every rule is a
// domain, no service takes down shared infrastructure, ids are unique, both languages exist.

const catalog = readServiceCatalog();

// Domains that carry many unrelated sites: a bare rule on one of them (or on a parent of it)
// would break the web far beyond the app. A specific host under them is fine.
const SHARED = [
  'googleapis.com', 'gstatic.com', 'google.com', 'googleusercontent.com', 'ggpht.com', 'appspot.com', 'firebaseio.com', 'withgoogle.com',
  'amazonaws.com', 'amazon.com', 'cloudfront.net', 'akamaized.net', 'akamaiedge.net', 'akamaihd.net', 'akamai.net', 'edgekey.net', 'edgesuite.net',
  'azureedge.net', 'azurewebsites.net', 'windows.net', 'microsoft.com', 'live.com', 'bing.com', 'msftconnecttest.com',
  'fastly.net', 'fastlylb.net', 'cloudflare.com', 'cloudflare.net', 'workers.dev', 'pages.dev', 'jsdelivr.net', 'unpkg.com',
  'apple.com', 'icloud.com', 'qq.com', 'zing.vn', 'naver.jp', 'github.io', 'githubusercontent.com', 'herokuapp.com', 'vercel.app', 'netlify.app',
  'com', 'net', 'org', 'vn', 'com.vn', 'co', 'io', 'ai', 'tv', 'me', 'app',
];

describe('services: catalog', () => {
  it('covers the services children use in Vietnam, with both languages, groups and sources', () => {
    expect(catalog.services.length).toBeGreaterThanOrEqual(60);
    const ids = catalog.services.map((s) => s.id);
    for (const id of ['tiktok', 'youtube', 'facebook', 'messenger', 'instagram', 'zalo', 'discord', 'telegram', 'snapchat', 'x', 'reddit', 'twitch', 'netflix',
      'roblox', 'minecraft', 'fortnite', 'steam', 'free-fire', 'lien-quan-mobile', 'pubg-mobile', 'genshin-impact', 'bigo-live', 'omegle', 'chatgpt', 'gemini', 'claude', 'copilot', 'character-ai']) {
      expect(ids).toContain(id);
    }
    for (const g of ['social', 'video', 'games', 'messaging', 'streaming', 'ai-chat', 'dating', 'random-chat']) expect(catalog.groupById.has(g)).toBe(true);
    for (const s of [...catalog.services, ...catalog.groups]) {
      expect(s.name.en.trim(), s.id).not.toBe('');
      expect(s.name.vi.trim(), s.id).not.toBe('');
    }
    for (const s of catalog.services) expect(s.source.length, s.id).toBeGreaterThan(10);
    expect(catalog.byId.get('lien-quan-mobile')!.name.vi).toBe('Liên Quân Mobile');
  });

  it('ids are unique across services and groups, and every rule is a normalised domain', () => {
    const ids = [...catalog.services.map((s) => s.id), ...catalog.groups.map((g) => g.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of catalog.services) {
      expect(new Set(s.rules).size, s.id).toBe(s.rules.length);
      for (const r of s.rules) expect(r, s.id).toMatch(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/);
    }
  });

  it('no service blocks shared infrastructure or a parent of it', () => {
    for (const s of catalog.services) {
      for (const r of s.rules) {
        for (const shared of SHARED) expect(shared === r || shared.endsWith(`.${r}`), `${s.id}: "${r}" covers ${shared}`).toBe(false);
      }
    }
  });

  it('a broken catalog is refused with every problem named', () => {
    const text = `groups: [{ id: games, name: { en: Games, vi: Trò chơi } }]
services:
  - { id: Bad_Id, name: { en: X, vi: X }, group: games, rules: [x.example], source: test }
  - { id: dup, name: { en: A }, group: games, rules: [a.example], source: test }
  - { id: dup, name: { en: A, vi: A }, group: nope, rules: ["not a domain!"], source: test }
`;
    let message = '';
    try {
      parseServiceCatalog([{ name: 'bad.yaml', text }]);
    } catch (e) {
      message = (e as Error).message;
    }
    for (const part of ['Bad_Id', 'both en and vi', '"not a domain!"', 'duplicate id', 'unknown group "nope"']) expect(message).toContain(part);
  });
});
