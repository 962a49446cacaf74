import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { startNestguard } from '../../resolver/src/app.js';
import { loadConfig } from '../../resolver/src/config/load-config.js';
import { createLogger } from '../../resolver/src/logger.js';
import { query } from '../helpers/dig.js';
import { buildQuery } from '../helpers/dns-message.js';
import { freePorts } from '../helpers/ports.js';
import { udpExchange } from '../helpers/raw-dns.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { lines, stream };
}

const ADDR4 = '192.0.2.77';
const ADDR6 = '2001:db8::77';
const NAME = 'secret-child-site.example.org';

it('never writes a client address or a query name, at any level', () => {
  const { lines, stream } = capture();
  const log = createLogger('trace', stream);
  log.trace({ address: ADDR4, qname: NAME }, 'query');
  log.debug({ client: { address: ADDR6, port: 5353 } }, 'client');
  log.info({ req: { method: 'GET', url: `/dns-query/tok?dns=${Buffer.from(NAME).toString('base64url')}`, remoteAddress: ADDR4, headers: { 'x-forwarded-for': ADDR6 } } }, 'doh');
  log.warn({ peer: { remoteAddress: ADDR6 }, deep: { rinfo: { address: ADDR4 } } }, 'peer');
  log.child({ ip: ADDR4 }).error({ query: { qname: NAME } }, 'failed');
  const out = lines.join('');
  expect(lines).toHaveLength(5);
  expect(out).not.toContain(ADDR4);
  expect(out).not.toContain(ADDR6);
  expect(out).not.toContain(NAME);
  expect(out).not.toContain(Buffer.from(NAME).toString('base64url'));
  // the structure survives: what is not sensitive is still there
  const doh = JSON.parse(lines[2]);
  expect(doh.req).toMatchObject({ method: 'GET', url: '/dns-query/tok?[redacted]', remoteAddress: '[redacted]' });
  expect(JSON.parse(lines[1]).client).toBe('[redacted]');
});

it('honours the level', () => {
  const { lines, stream } = capture();
  const log = createLogger('warn', stream);
  log.info('hidden');
  log.warn('shown');
  expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
});

it('readable lines (a terminal) are redacted the same way', () => {
  const { lines, stream } = capture();
  const log = createLogger('info', stream, true);
  log.info({ address: ADDR4, client: { address: ADDR6 }, sources: 3 }, 'lists: snapshot live');
  const out = lines.join('');
  expect(out).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: lists: snapshot live \{"address":"\[redacted\]","client":"\[redacted\]","sources":3\}\n$/);
  expect(out).not.toContain(ADDR4);
  expect(out).not.toContain(ADDR6);
});

// The redaction above only sees structured fields: a name or an address written into a
// message string would pass it. So the real query path runs here, in this process and with
// this logger at trace level, through its error paths — an upstream answering garbage, an
// upstream that is not there, a malformed query, a client outside every network, DoH — for a
// name and from an address that must then appear in no line at all, message text included.
it('the query path writes no name or address into any message, on its error paths too', async () => {
  const marker = `p${randomBytes(5).toString('hex')}`;
  const name = `${marker}.secret-child-site.example.org`;
  const client = '127.0.0.9';
  const outsider = '127.0.0.10';
  // a real UDP server on loopback answering every query with a header that promises an
  // answer record and no bytes for it: matched by ID and question, then malformed
  const junk = createSocket('udp4');
  junk.on('message', (m, r) => {
    const b = Buffer.from(m);
    b[2] |= 0x80;
    b.writeUInt16BE(1, 6);
    junk.send(b, r.port, r.address);
  });
  await new Promise<void>((r) => junk.bind(0, '127.0.0.1', () => r()));
  const [dnsPort, httpPort, nobody] = await freePorts(3);
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-logger-'));
  writeFileSync(join(dir, 'nestguard.yaml'), `
lists: { bundled: false }
upstream: { try_timeout_ms: 300, resolve_timeout_ms: 900 }
policies: [{ name: open }]
networks: [{ name: lo, cidrs: ["${client}/32", "127.0.0.1/32"], policy: open }]
`);
  const loaded = loadConfig({
    NESTGUARD_CONFIG: join(dir, 'nestguard.yaml'),
    NESTGUARD_DATA_DIR: join(dir, 'data'),
    NESTGUARD_DNS_LISTEN: `127.0.0.1:${dnsPort}`,
    NESTGUARD_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${(junk.address()).port},udp://127.0.0.1:${nobody}`,
  }, dir);
  const { lines, stream } = capture();
  const running = await startNestguard(loaded, createLogger('trace', stream), { terminal: () => {} });
  try {
    for (const type of ['A', 'AAAA', 'HTTPS']) {
      const r = await query({ port: dnsPort, name, type, source: client }, { timeoutMs: 4000 });
      expect(r.rcode).toBe('SERVFAIL');
    }
    expect((await query({ port: dnsPort, name, source: client, tcp: true }, { timeoutMs: 4000 })).rcode).toBe('SERVFAIL');
    expect((await query({ port: dnsPort, name, source: outsider })).rcode).toBe('REFUSED');
    const bad = buildQuery({ name });
    bad.writeUInt16BE(2, 4); // two questions announced, one present
    expect(await udpExchange(dnsPort, bad, { bindAddress: client })).not.toBeNull();
    const res = await fetch(`http://127.0.0.1:${httpPort}/dns-query?dns=${buildQuery({ name }).toString('base64url')}`);
    await res.arrayBuffer();
  } finally {
    await running.close();
    junk.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const out = lines.join('');
  // the paths ran and logged (the upstream's garbage was noticed)
  expect(out).toMatch(/malformed/);
  expect(out.includes(marker), 'the queried name in a log line').toBe(false);
  expect(out.includes(client), 'the client address in a log line').toBe(false);
  expect(out.includes(outsider), 'the outside address in a log line').toBe(false);
});
