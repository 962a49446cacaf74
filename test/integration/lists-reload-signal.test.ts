import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// Operators reload lists with SIGHUP: the process stays up, keeps answering, and the new
// snapshot blocks the new name shortly after.

let up: AuthUpstream;
let ng: Nestguard;
let list: string;

beforeAll(async () => {
  up = await startAuthUpstream();
  list = join(mkdtempSync(join(tmpdir(), 'nestguard-hup-')), 'malware.txt');
  writeFileSync(list, `bad.${ZONE}\n`);
  ng = await startNestguard({
    upstreamPort: up.port,
    config: {
      blocklists: [{ name: 'malware', category: 'malware', source: list }],
      policies: [{ name: 'p', block: ['malware'] }],
      networks: [{ name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'p' }],
    },
  });
});

afterAll(async () => {
  await ng?.stop();
  await up?.stop();
});

describe('SIGHUP', () => {
  it('re-reads the lists without stopping', async () => {
    expect((await query({ port: ng.dnsPort, name: `bad.${ZONE}` })).rcode).toBe('NXDOMAIN');
    expect((await query({ port: ng.dnsPort, name: RECORDS.a.name })).answer[0]?.data).toBe(RECORDS.a.ipv4);
    appendFileSync(list, `${RECORDS.a.name}\n`);
    process.kill(ng.pid, 'SIGHUP');
    const t0 = Date.now();
    let rcode = '';
    while (Date.now() - t0 < 5000) {
      rcode = (await query({ port: ng.dnsPort, name: RECORDS.a.name })).rcode;
      if (rcode === 'NXDOMAIN') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rcode).toBe('NXDOMAIN');
    expect((await query({ port: ng.dnsPort, name: RECORDS.aaaa.name, type: 'AAAA' })).rcode).toBe('NOERROR');
    expect(await ng.stop()).toBe(0);
  });
});
