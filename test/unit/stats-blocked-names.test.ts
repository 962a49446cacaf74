import { describe, expect, it } from 'vitest';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { BlockedNameBuffer } from '../../resolver/src/stats/blocked-name-buffer.js';

function add(b: BlockedNameBuffer, name: string, networkId = 1): void {
  // upper-case on the wire as a client may send it (0x20 randomisation)
  const w = WireName.fromText(name);
  const buf = Buffer.from(w.buf);
  for (let i = 0; i < buf.length; i++) if (i % 2 && buf[i] >= 97 && buf[i] <= 122) buf[i] -= 32;
  b.add(networkId, buf, w.labelOffsets, w.labelCount);
}

describe('BlockedNameBuffer', () => {
  it('counts names case-insensitively and hands them over once per drain', () => {
    const b = new BlockedNameBuffer(100);
    for (let i = 0; i < 5; i++) add(b, 'ads.example.org');
    add(b, 'tracker.example.net');
    expect(b.drain().sort()).toEqual([['ads.example.org', 1, 5], ['tracker.example.net', 1, 1]]);
    expect(b.drain()).toEqual([]);
  });

  it('counts each network apart', () => {
    const b = new BlockedNameBuffer(100);
    add(b, 'ads.example.org', 1);
    add(b, 'ads.example.org', 2);
    add(b, 'ads.example.org', 2);
    expect(b.drain().sort()).toEqual([['ads.example.org', 1, 1], ['ads.example.org', 2, 2]]);
  });

  it('keeps many distinct names apart (hash collisions included) and stays bounded', () => {
    const b = new BlockedNameBuffer(50_000);
    for (let i = 0; i < 60_000; i++) add(b, `n${i}.example.org`);
    const drained = b.drain();
    expect(drained).toHaveLength(50_000);
    expect(drained.every(([, , n]) => n === 1)).toBe(true);
    expect(new Set(drained.map(([name]) => name)).size).toBe(50_000);
  });
});
