import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../resolver/src/logger.js';

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
