import { buildQuery } from './dns-message.js';
import { encodeName, TYPE_A, TYPE_OPT } from '../../resolver/src/dns/wire.js';

// Hostile input for the wire parser: mutations of real queries (they get past the cheap
// checks and reach the deep ones) and crafted compression-pointer bombs and loops. Every
// generator draws from a seeded PRNG so a failing run can be replayed from its seed.

export type Rng = () => number;

/** mulberry32: tiny, fast and good enough to spread mutations around. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, n: number) => Math.floor(rng() * n);

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(rng, 256);
  return b;
}

/** Realistic queries to mutate: several names, types, with and without EDNS options. */
export function seedQueries(zone: string): Buffer[] {
  const names = [zone, `a.${zone}`, `www.${zone}`, `c1.${zone}`, `txt.${zone}`, `x.y.z.wild.${zone}`, `nope.${zone}`, 'example.org'];
  const types = [1, 28, 16, 15, 65, 255, 33, 6, 46];
  const out: Buffer[] = [];
  for (const name of names) {
    for (const type of types) {
      out.push(buildQuery({ name, type }));
      out.push(buildQuery({ name, type, edns: { udpSize: 1232, do: true } }));
    }
    // cookie (10) and client subnet (8) options exercise the OPT option walk
    out.push(buildQuery({ name, edns: { udpSize: 4096, options: [{ code: 10, data: Buffer.alloc(8, 7) }, { code: 8, data: Buffer.from([0, 1, 24, 0, 192, 0, 2]) }] } }));
  }
  return out;
}

/** Offsets of the question's label length bytes (to corrupt them specifically). */
function labelOffsets(p: Buffer): number[] {
  const out: number[] = [];
  for (let off = 12; off < p.length && p[off] !== 0 && out.length < 128; off += p[off] + 1) out.push(off);
  return out;
}

export function bitFlips(rng: Rng, p: Buffer): Buffer {
  const b = Buffer.from(p);
  for (let n = 1 + int(rng, 8); n > 0; n--) b[int(rng, b.length)] ^= 1 << int(rng, 8);
  return b;
}

export function truncation(rng: Rng, p: Buffer): Buffer {
  return Buffer.from(p.subarray(0, int(rng, p.length)));
}

/** A label length, the OPT RDLENGTH or an option length set to something it is not. */
export function lengthCorruption(rng: Rng, p: Buffer): Buffer {
  const b = Buffer.from(p);
  const labels = labelOffsets(b);
  const optAt = b.length >= 11 && b[b.length - 11] === 0 && b.readUInt16BE(b.length - 10) === TYPE_OPT ? b.length - 11 : -1;
  const pick = int(rng, 3);
  const wild = () => [0, 1, 63, 64, 127, 128, 191, 192, 255][int(rng, 9)];
  if (pick === 0 && labels.length) b[labels[int(rng, labels.length)]] = wild();
  else if (pick === 1 && optAt >= 0) b.writeUInt16BE([0, 1, 4, 0xff, 0xffff][int(rng, 5)], optAt + 9);
  else if (labels.length) b[labels[labels.length - 1]] = wild();
  return b;
}

export function randomCounts(rng: Rng, p: Buffer): Buffer {
  const b = Buffer.from(p);
  const values = [0, 1, 2, 3, 0x7f, 0x100, 0x7fff, 0xffff];
  for (let i = 4; i < 12; i += 2) if (rng() < 0.6) b.writeUInt16BE(values[int(rng, values.length)], i);
  return b;
}

/** Purely random datagram; mostly small, sometimes as large as UDP on loopback allows. */
export function randomPacket(rng: Rng): Buffer {
  const r = rng();
  const len = r < 0.1 ? int(rng, 12) : r < 0.97 ? 12 + int(rng, 500) : 1000 + int(rng, 8000);
  return randomBytes(rng, len);
}

/** One of the mutations above, or a random packet, chosen at random. */
export function mutant(rng: Rng, seeds: readonly Buffer[]): Buffer {
  const p = seeds[int(rng, seeds.length)];
  switch (int(rng, 6)) {
    case 0: return bitFlips(rng, p);
    case 1: return truncation(rng, p);
    case 2: return lengthCorruption(rng, p);
    case 3: return randomCounts(rng, p);
    case 4: return randomCounts(rng, bitFlips(rng, p));
    default: return randomPacket(rng);
  }
}

/**
 * A query with a sound header and question that claims thousands of records it does not
 * carry: the only correct answer is FORMERR.
 */
export function formErrQuery(rng: Rng, id: number, zone: string): Buffer {
  const q = buildQuery({ id, name: `a.${zone}`, type: TYPE_A, rd: true });
  const section = 6 + 2 * int(rng, 3); // AN, NS or AR
  q.writeUInt16BE(0xff00 | int(rng, 256), section);
  return Buffer.concat([q, randomBytes(rng, int(rng, 20))]);
}

/** A valid-looking response (QR=1): a server must never answer it, or two servers could loop. */
export function responsePacket(rng: Rng, seeds: readonly Buffer[]): Buffer {
  const b = int(rng, 2) ? bitFlips(rng, seeds[int(rng, seeds.length)]) : randomPacket(rng);
  if (b.length >= 3) b[2] |= 0x80;
  return b;
}

function rr(owner: Buffer, type: number, rdata: Buffer = Buffer.alloc(0)): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

function pointer(to: number): Buffer {
  return Buffer.from([0xc0 | (to >> 8), to & 0xff]);
}

export type BombKind = 'chain' | 'self-loop' | 'mutual-loop' | 'question-loop' | 'question-forward' | 'rdata-loop';
export const BOMB_KINDS: readonly BombKind[] = ['chain', 'self-loop', 'mutual-loop', 'question-loop', 'question-forward', 'rdata-loop'];

/**
 * Compression-pointer abuse: `chain` makes each additional record's owner one label plus a
 * pointer to the previous owner (reading the last name walks all of them); the loops point
 * names at themselves or at each other, in the question, the additional records or RDATA.
 * `records` sets how many additional records carry the abuse (packet size grows with it).
 */
export function pointerBomb(kind: BombKind, id: number, zone: string, records = 100): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  if (kind === 'question-loop') {
    // QNAME is a pointer to itself
    return Buffer.concat([header, pointer(12), Buffer.from([0, 1, 0, 1])]);
  }
  if (kind === 'question-forward') {
    // QNAME is one label then a pointer forward to a name that points back at it
    header.writeUInt16BE(1, 10);
    const qname = Buffer.concat([Buffer.from([1, 0x61]), pointer(12 + 2 + 2 + 4)]);
    return Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1]), rr(pointer(12), TYPE_A)]);
  }
  const question = Buffer.concat([encodeName(`a.${zone}`), Buffer.from([0, 1, 0, 1])]);
  const parts: Buffer[] = [header, question];
  let off = 12 + question.length;
  let prev = 12;
  for (let i = 0; i < records; i++) {
    let rec: Buffer;
    if (kind === 'chain') rec = rr(Buffer.concat([Buffer.from([1, 0x62]), pointer(prev)]), TYPE_A);
    else if (kind === 'self-loop') rec = rr(pointer(off), i % 2 ? TYPE_OPT : TYPE_A);
    else if (kind === 'mutual-loop') rec = rr(pointer(i % 2 ? off - 12 : off + 12), TYPE_A);
    else rec = rr(pointer(12), 5, pointer(off + 2 + 10)); // a CNAME whose target points at itself
    prev = off;
    off += rec.length;
    parts.push(rec);
  }
  header.writeUInt16BE(records, 10);
  return Buffer.concat(parts);
}
