import { afterAll, beforeAll, expect, it } from 'vitest';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// Services end to end over real DNS (kdig): a school's policy switches the "games" group off
// during a window that is open now; the school's address (127.0.0.2) gets the block answer for
// Roblox and Free Fire hosts while the home network's address (127.0.0.3) and a school in a
// time zone where the window is closed (127.0.0.4) get the upstream's answer. The shipped
// bypass list answers the encrypted-DNS signal names NXDOMAIN even though the policy's
// block mode is 0.0.0.0.

const GAME_HOSTS = ['www.roblox.com', 'c0.rbxcdn.com', 'ff.garena.vn', 'dl.freefiremobile.com'];
let upstream: TableUpstream;
let ng: Nestguard;

const hhmm = (h: number) => `${String(((h % 24) + 24) % 24).padStart(2, '0')}:00`;

beforeAll(async () => {
  const table: Record<string, Array<{ type: 'A'; address: string }>> = { 'www.wikipedia.org': [{ type: 'A', address: '192.0.2.10' }] };
  GAME_HOSTS.forEach((h, i) => { table[h] = [{ type: 'A', address: `192.0.2.${20 + i}` }]; });
  upstream = await startTableUpstream(table);
  const hour = new Date().getUTCHours();
  const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  ng = await startNestguard({
    env: { NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${upstream.port}` },
    config: {
      lists: { bundled: true },
      policies: [
        { name: 'open' },
        {
          name: 'school', block: ['bypass'], block_mode: 'null',
          // open from the hour before now to two hours after (in UTC), whatever the clock says
          schedules: [{ name: 'lessons', days: everyDay, from: hhmm(hour - 1), to: hhmm(hour + 2), services: ['games'] }],
        },
      ],
      networks: [
        { name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'open' },
        { name: 'school', cidrs: ['127.0.0.2/32'], policy: 'school', timezone: 'UTC' },
        { name: 'home', cidrs: ['127.0.0.3/32'], policy: 'open' },
        // UTC+14: the same window is ten hours or more away there
        { name: 'school-far', cidrs: ['127.0.0.4/32'], policy: 'school', timezone: 'Pacific/Kiritimati' },
      ],
    },
  });
});

afterAll(async () => {
  await ng?.stop();
  await upstream?.close();
});

it('the school gets the block answer for Roblox and Free Fire during lessons; home gets the upstream answer', async () => {
  for (const [i, name] of GAME_HOSTS.entries()) {
    const school = await query({ port: ng.dnsPort, name, source: '127.0.0.2' });
    expect(school.rcode, name).toBe('NOERROR');
    expect(school.answer.map((r) => r.data), name).toEqual(['0.0.0.0']);
    expect(school.ede.map((e) => e.text).join(' '), name).toMatch(/service:(roblox|free-fire|lien-quan-mobile|garena)/);

    const home = await query({ port: ng.dnsPort, name, source: '127.0.0.3' });
    expect(home.rcode, name).toBe('NOERROR');
    expect(home.answer.map((r) => r.data), name).toEqual([`192.0.2.${20 + i}`]);

    const far = await query({ port: ng.dnsPort, name, source: '127.0.0.4' });
    expect(far.answer.map((r) => r.data), name).toEqual([`192.0.2.${20 + i}`]);
  }
  const other = await query({ port: ng.dnsPort, name: 'www.wikipedia.org', source: '127.0.0.2' });
  expect(other.answer.map((r) => r.data)).toEqual(['192.0.2.10']);
});

it('the encrypted-DNS signal names get NXDOMAIN from the bypass category, whatever the block mode', async () => {
  for (const name of ['use-application-dns.net', 'mask.icloud.com', 'mask-h2.icloud.com']) {
    for (const type of ['A', 'AAAA', 'HTTPS']) {
      const r = await query({ port: ng.dnsPort, name, type, source: '127.0.0.2' });
      expect(r.rcode, `${name} ${type}`).toBe('NXDOMAIN');
      expect(r.answer).toEqual([]);
    }
  }
  // another bypass name keeps the policy's own block answer
  const doh = await query({ port: ng.dnsPort, name: 'dns.google', source: '127.0.0.2' });
  expect(doh.rcode).toBe('NOERROR');
  expect(doh.answer.map((r) => r.data)).toEqual(['0.0.0.0']);
});
