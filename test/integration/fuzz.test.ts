import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import {
  BOMB_KINDS, formErrQuery, mutant, pointerBomb, randomPacket, responsePacket, seededRng, seedQueries, type Rng,
} from '../helpers/fuzz-packets.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { frame, openTcp, openUdp, udpExchange, type UdpClient } from '../helpers/raw-dns.js';
import { RCODE_FORMERR, TYPE_A } from '../../resolver/src/dns/wire.js';

// Hostile traffic at the running server: it must stay up, never answer with a malformed
// message, never answer a response, and still answer a normal query promptly afterwards.
// The seed is random per run and printed on failure; FUZZ_SEED=<n> replays a run.

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);
const why = (s: string) => `${s} (FUZZ_SEED=${SEED})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let up: AuthUpstream;
let ng: Nestguard;
let exited = false;
const seeds = seedQueries(ZONE);

beforeAll(async () => {
  up = await startAuthUpstream();
  ng = await startNestguard({ upstreamPort: up.port, ipv6: false, config: { log_level: 'warn' } });
  void ng.exited.then(() => { exited = true; });
});

afterAll(async () => {
  await ng?.kill();
  await up?.stop();
});

/**
 * Sends in bursts and, after each, waits until replies stop arriving for a moment: paced to
 * what the server absorbs, so its socket buffer is not simply overrun and the packets are
 * actually parsed. Resolves with the elapsed milliseconds.
 */
async function paced(client: UdpClient, packets: Iterable<Buffer>, burst = 100): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for (const p of packets) {
    client.send(p);
    if (++n % burst === 0) await quiet(client);
  }
  await quiet(client, 20);
  return performance.now() - t0;
}

async function quiet(client: UdpClient, quietMs = 2, maxMs = 200): Promise<void> {
  const until = performance.now() + maxMs;
  let seen = -1;
  while (client.count !== seen && performance.now() < until) {
    seen = client.count;
    await sleep(quietMs);
  }
}

function* generate(count: number, make: (i: number) => Buffer): Generator<Buffer> {
  for (let i = 0; i < count; i++) yield make(i);
}

/** Replies that are not well-formed DNS responses, as hex, for the failure message. */
function badReplies(replies: readonly Buffer[]): string[] {
  const bad: string[] = [];
  for (const r of replies) {
    try {
      if (!parseMessage(r).qr) bad.push(`QR=0: ${r.toString('hex')}`);
    } catch (e) {
      bad.push(`${(e as Error).message}: ${r.toString('hex').slice(0, 200)}`);
    }
  }
  return bad;
}

async function assertHealthy(label: string): Promise<void> {
  expect(exited, why(`server died during ${label}:\n${ng.logs().slice(-3000)}`)).toBe(false);
  const t0 = performance.now();
  const reply = await udpExchange(ng.dnsPort, buildQuery({ id: 31337, name: RECORDS.a.name, type: TYPE_A }), { timeoutMs: 1000 });
  const ms = performance.now() - t0;
  expect(reply, why(`no answer to a normal query within 1 s after ${label}`)).not.toBeNull();
  const m = parseMessage(reply!);
  expect(m.id).toBe(31337);
  expect(m.rcode).toBe(0);
  expect(m.answer[0].rdata).toEqual(Buffer.from([192, 0, 2, 1]));
  expect(ms).toBeLessThan(1000);
}

describe('fuzzing over UDP', () => {
  it('survives 100k mutated and random packets, answering only with well-formed messages', async () => {
    const rng = seededRng(SEED);
    const client = await openUdp(ng.dnsPort);
    try {
      await paced(client, generate(100_000, () => mutant(rng, seeds)));
      expect(badReplies(client.received), why('malformed replies')).toEqual([]);
      expect(client.count).toBeGreaterThan(1000); // most mutants still deserve some answer
    } finally {
      client.close();
    }
    await assertHealthy('100k mutants');
  });

  it('answers FORMERR to a good share of queries whose sound header over-counts records', async () => {
    const rng = seededRng(SEED ^ 0x5eed);
    const client = await openUdp(ng.dnsPort);
    const total = 10_000;
    try {
      await paced(client, generate(total, (i) => formErrQuery(rng, i, ZONE)));
      const replies = client.received.map(parseMessage);
      const formErr = replies.filter((m) => m.rcode === RCODE_FORMERR && m.id < total);
      expect(formErr.length, why(`FORMERR for ${formErr.length} of ${total}`)).toBeGreaterThan(total * 0.5);
      expect(formErr.length).toBe(replies.length);
    } finally {
      client.close();
    }
  });

  it('never answers a packet that is a response or shorter than a header', async () => {
    const rng = seededRng(SEED ^ 0xbad);
    const client = await openUdp(ng.dnsPort);
    try {
      await paced(client, generate(3000, (i) => (i % 3 === 0 ? randomPacket(rng).subarray(0, i % 12) : responsePacket(rng, seeds))));
      await sleep(100);
      expect(client.count, why('replies to responses or runts')).toBe(0);
    } finally {
      client.close();
    }
    await assertHealthy('responses and runts');
  });

  it('shrugs off 10k compression-pointer bombs and loops in microseconds each', async () => {
    const client = await openUdp(ng.dnsPort);
    try {
      const bombs = [...generate(10_000, (i) => pointerBomb(BOMB_KINDS[i % BOMB_KINDS.length], i, ZONE, 20 + (i % 80)))];
      const ms = await paced(client, bombs);
      expect(badReplies(client.received), why('malformed replies to bombs')).toEqual([]);
      // the loops in the question must be refused as FORMERR or dropped, never resolved
      const qloop = client.received.map(parseMessage).filter((m) => BOMB_KINDS[m.id % BOMB_KINDS.length].startsWith('question'));
      expect(qloop.every((m) => m.rcode === RCODE_FORMERR)).toBe(true);
      expect(client.count, 'the well-formed bombs are valid queries and deserve answers').toBeGreaterThan(bombs.length * 0.3);
      expect(ms, 'sending and answering 10k bombs').toBeLessThan(8000);
    } finally {
      client.close();
    }
    await assertHealthy('pointer bombs');

    // maximum-size datagrams packed with pointer chains: a parser that follows pointers
    // without a bound spends seconds on each
    const big = await openUdp(ng.dnsPort);
    try {
      for (let i = 0; i < 20; i++) {
        big.send(pointerBomb(i % 2 ? 'chain' : 'mutual-loop', 50_000 + i, ZONE, 4500));
        await sleep(2);
      }
      await quiet(big, 20);
    } finally {
      big.close();
    }
    await assertHealthy('60 KB bombs');
  });
});

/** One TCP connection doing one kind of damage; resolves whether a reply was expected and came. */
async function tcpAbuse(port: number, rng: Rng, kind: number): Promise<{ expected: boolean; answered: boolean }> {
  const c = await openTcp(port);
  const good = () => buildQuery({ id: int(rng, 0x10000), name: RECORDS.a.name, type: TYPE_A });
  try {
    switch (kind) {
      case 0: { // several mutants, framed, in one write
        c.write(Buffer.concat(Array.from({ length: 1 + int(rng, 10) }, () => frame(mutant(rng, seeds)))));
        await c.replies(1, 30);
        return { expected: false, answered: false };
      }
      case 1: { // random bytes with no framing sense at all
        c.write(randomPacket(rng));
        await c.replies(1, 20);
        return { expected: false, answered: false };
      }
      case 2: { // a huge length prefix, a few bytes, then the connection goes away mid-frame
        c.write(Buffer.concat([Buffer.from([0xff, 0xff - int(rng, 16)]), randomPacket(rng).subarray(0, 100)]));
        await sleep(int(rng, 5));
        return { expected: false, answered: false };
      }
      case 3: { // a good query split into byte-sized pieces must still be reassembled and answered
        const f = frame(good());
        let at = 0;
        while (at < f.length) {
          const n = 1 + int(rng, 8);
          c.write(f.subarray(at, at + n));
          at += n;
          await sleep(int(rng, 2));
        }
        return { expected: true, answered: (await c.replies(1, 1000)).length === 1 };
      }
      case 4: { // a zero-length frame, then a good query
        c.write(Buffer.concat([Buffer.from([0, 0]), frame(good())]));
        await c.replies(1, 50);
        return { expected: false, answered: false };
      }
      case 5: { // a partial frame, then the connection closes
        const f = frame(good());
        c.write(f.subarray(0, 1 + int(rng, f.length - 1)));
        return { expected: false, answered: false };
      }
      default: { // a good query and an immediate close, before the answer can be written
        c.write(frame(good()));
        return { expected: false, answered: false };
      }
    }
  } finally {
    c.close();
  }
}

const int = (rng: Rng, n: number) => Math.floor(rng() * n);

describe('fuzzing over TCP', () => {
  it('survives thousands of garbage frames, partial frames, huge prefixes and abrupt closes', async () => {
    const rng = seededRng(SEED ^ 0x7c9);
    let expected = 0;
    let answered = 0;
    const connections = 700;
    const parallel = 16;
    for (let i = 0; i < connections; i += parallel) {
      const batch = await Promise.all(Array.from({ length: Math.min(parallel, connections - i) }, (_, k) => tcpAbuse(ng.dnsPort, rng, (i + k) % 7)));
      for (const r of batch) {
        if (r.expected) expected++;
        if (r.answered) answered++;
      }
    }
    expect(answered, why(`${answered} of ${expected} split queries answered`)).toBe(expected);

    // bombs over TCP too, framed at full size
    const c = await openTcp(ng.dnsPort);
    try {
      for (let i = 0; i < 6; i++) c.write(frame(pointerBomb(BOMB_KINDS[i], 60_000 + i, ZONE, 4500)));
      await c.replies(6, 2000);
    } finally {
      c.close();
    }

    await assertHealthy('TCP abuse');
    const t0 = performance.now();
    const tcp = await openTcp(ng.dnsPort);
    try {
      tcp.write(frame(buildQuery({ id: 4242, name: RECORDS.a.name })));
      const [reply] = await tcp.replies(1, 1000);
      expect(reply, 'a normal TCP query after the abuse').toBeDefined();
      expect(parseMessage(reply).id).toBe(4242);
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      tcp.close();
    }
  });
});
