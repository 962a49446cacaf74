import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// Lists are input from outside: a regex rule written to backtrack must not stall the server
// on the names clients send, whichever list or policy it comes from.

let upstream: TableUpstream;
let ng: Nestguard;
const A63 = 'a'.repeat(63);

beforeAll(async () => {
  upstream = await startTableUpstream({ 'clean.example.org': [{ type: 'A', address: '192.0.2.81' }] });
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-hostile-lists-'));
  writeFileSync(join(dir, 'evil.txt'), '! a catastrophic-backtracking rule\n/^(a+)+\\.com$/\n||tracker.example.net^\n');
  ng = await startNestguard({
    env: { NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${upstream.port}` },
    config: {
      blocklists: [{ name: 'evil', category: 'ads', source: join(dir, 'evil.txt'), format: 'adblock' }],
      policies: [{ name: 'kids', block: ['ads'], deny: ['/^(b+)+\\.org$/'] }],
      networks: [{ name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'kids' }],
    },
  });
});

afterAll(async () => {
  await ng?.stop();
  await upstream?.close();
});

async function timed(name: string) {
  const t = performance.now();
  const r = await query({ port: ng.dnsPort, name }, { timeoutMs: 4000 });
  return { r, ms: performance.now() - t };
}

describe('lists: hostile regex rules', () => {
  it('a name built to backtrack a list regex is answered at once, and the rule still blocks', async () => {
    for (const label of ['a'.repeat(24), A63]) {
      const miss = await timed(`${label}.org`);
      expect(miss.r.rcode).toBe('NXDOMAIN'); // the upstream's answer: not blocked
      expect(miss.ms).toBeLessThan(1000);
    }
    const blocked = await timed(`${A63}.com`);
    expect(blocked.r.rcode).toBe('NXDOMAIN');
    expect(blocked.r.ede[0]?.text).toBe('category: ads');
    expect(blocked.ms).toBeLessThan(1000);
  });

  it('a policy\'s own backtracking regex is bounded too, and the server keeps answering others', async () => {
    const slow = await timed(`${'b'.repeat(63)}.net`);
    expect(slow.r.rcode).toBe('NXDOMAIN');
    expect(slow.ms).toBeLessThan(1000);
    const denied = await timed(`${'b'.repeat(63)}.org`);
    expect(denied.r.ede[0]?.text).toBe('blocked by network policy');
    const clean = await timed('clean.example.org');
    expect(clean.r.answer[0]?.data).toBe('192.0.2.81');
  });
});
