import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { launchChromium } from '../helpers/chromium.js';
import { kdig } from '../helpers/dig.js';
import { REPO_ROOT, startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { removeOnExit } from '../helpers/test-cleanup.js';

// The console driven as a person would, in Debian's Chromium, against the real built
// Nestguard process with NSD as its upstream: what is clicked in the console must change what
// a real DNS client (kdig, from 127.0.0.2) is answered. Screenshots of every main page, at
// desktop and phone width and in both languages, land in test-results/screenshots.

const PASSWORD = 'e2e-owner-password';
const NETADMIN_PASSWORD = 'e2e-netadmin-password';
const LISTED = 'adult.upstream.test';
const REPORTED = 'report-me.upstream.test';
const SHOTS = join(REPO_ROOT, 'test-results/screenshots');

let upstream: AuthUpstream;
let ng: Nestguard;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let base: string;
let networkId: number;

async function dnsFrom127002(name: string) {
  return kdig(['@127.0.0.1', '-p', ng.dnsPort, '-b', '127.0.0.2', '+notcp', '+retry=0', '+timeout=2', name, 'A']);
}

/** Polls until `check` passes: config changes reach the resolver within about a second. */
async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!check(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 150));
    v = await fn();
  }
  return v;
}

async function login(p: Page, user: string, password: string) {
  await p.goto(`${base}/login`);
  await p.getByLabel(/^Username/).fill(user);
  await p.getByLabel(/^Password/).fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.waitForURL(`${base}/`);
}

async function seriousViolations(p: Page) {
  const r = await new AxeBuilder({ page: p }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

beforeAll(async () => {
  upstream = await startAuthUpstream({ extraRecords: ['adult A 192.0.2.66', 'report-me A 192.0.2.77'] });
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-e2e-'));
  removeOnExit(dir);
  const list = join(dir, 'adult.txt');
  writeFileSync(list, `# test list\n${LISTED}\n`);
  ng = await startNestguard({
    upstreamPort: upstream.port,
    waitForHttp: true,
    env: { NESTGUARD_ADMIN_PASSWORD: PASSWORD },
    config: {
      stats: { flush_interval_s: 0.2, hourly_retention_days: 90, daily_retention_days: 730, domain_threshold: 10, suppress_below: 5 },
      blocklists: [{ name: 'test-adult', category: 'adult', source: list, format: 'domains' }],
      policies: [{ name: 'open' }],
      networks: [
        { name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'open' },
        { name: 'other-school', kind: 'school', cidrs: ['10.9.0.0/16'], policy: 'open' },
      ],
    },
  });
  base = `http://127.0.0.1:${ng.httpPort}`;
  browser = await launchChromium();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  mkdirSync(SHOTS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await ng?.stop();
  await upstream?.stop();
});

describe('console end to end', () => {
  it('logs in and lands on the dashboard, with the hotline shown', async () => {
    await login(page, 'admin', PASSWORD);
    await expect.poll(() => page.getByRole('heading', { name: 'Dashboard', level: 1 }).isVisible()).toBe(true);
    expect(await page.getByTestId('hotline').textContent()).toContain('111');
  });

  it('creates a network for 127.0.0.2/32 with a new policy, and 127.0.0.2 is then served', async () => {
    expect((await dnsFrom127002(LISTED)).rcode).toBe('REFUSED');
    await page.getByRole('link', { name: 'Networks' }).click();
    await page.getByRole('link', { name: 'New network' }).click();
    await page.getByLabel(/^Name/).fill('school-e2e');
    const cidrs = page.getByTestId('cidr-input');
    await cidrs.fill('127.0.0.300/32');
    await expect.poll(() => page.getByTestId('cidr-problems').textContent()).toContain('Line 1');
    await cidrs.fill('127.0.0.2/32');
    await expect.poll(() => page.getByTestId('cidr-problems').count()).toBe(0);
    await page.getByRole('button', { name: 'New policy' }).click();
    await page.getByLabel(/^Policy name/).fill('school-e2e-policy');
    await page.getByRole('dialog').getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => page.getByRole('combobox', { name: /^Policy/ }).inputValue()).toBe('school-e2e-policy');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/networks\/\d+$/);
    networkId = Number(new URL(page.url()).pathname.split('/').pop());
    await expect.poll(() => page.getByRole('heading', { name: 'Network school-e2e' }).isVisible()).toBe(true);
    const r = await eventually(() => dnsFrom127002(LISTED), (x) => x.rcode === 'NOERROR');
    expect(r.answer[0]?.data).toBe('192.0.2.66');
  });

  it('switching a category on blocks the listed name for 127.0.0.2', async () => {
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.getByRole('link', { name: 'school-e2e-policy' }).click();
    await page.getByTestId('category-adult').check();
    // the network's own "Saved" notice may still be up (they close after a few seconds): the
    // one looked for below must be this save's
    await expect.poll(() => page.getByText('Saved').count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved').isVisible()).toBe(true);
    const r = await eventually(() => dnsFrom127002(LISTED), (x) => x.rcode === 'NXDOMAIN');
    expect(r.rcode).toBe('NXDOMAIN');
    // the loopback network's open policy is untouched
    const lo = await kdig(['@127.0.0.1', '-p', ng.dnsPort, LISTED, 'A']);
    expect(lo.answer[0]?.data).toBe('192.0.2.66');
  });

  it('the dashboard shows the blocked count', async () => {
    for (let i = 0; i < 6; i++) expect((await dnsFrom127002(LISTED)).rcode).toBe('NXDOMAIN');
    // 7 blocked in all (one above); counters reach the database every 0.2 s
    await new Promise((r) => setTimeout(r, 800));
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(async () => page.getByTestId('blocked-adult').textContent(), { timeout: 10_000 }).toBe('7');
    expect(await page.getByTestId('stat-Blocked queries').textContent()).toBe('7');
  });

  it('the domain tester explains the block: category, list and line', async () => {
    await page.getByRole('link', { name: 'Domain tester' }).click();
    const net = page.getByRole('combobox', { name: /^Network/ });
    await expect.poll(() => net.inputValue()).not.toBe('');
    await net.fill('school-e2e');
    await page.getByRole('option', { name: 'school-e2e', exact: true }).click();
    await expect.poll(() => net.inputValue()).toBe('school-e2e');
    await page.getByLabel(/^Domain name/).fill(LISTED);
    await page.getByRole('button', { name: 'Check' }).click();
    const result = page.getByTestId('explain-result');
    await expect.poll(() => page.getByTestId('explain-action').textContent()).toBe('Blocked');
    const text = await result.textContent();
    expect(text).toContain('Adult content');
    expect(text).toContain('test-adult');
    expect(text).toContain('line 2');
  });

  it('a report from the public page, accepted in the queue, blocks the name over DNS', async () => {
    expect((await dnsFrom127002(REPORTED)).answer[0]?.data).toBe('192.0.2.77');
    const anon = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'en-US' });
    const pub = await anon.newPage();
    await pub.goto(`${base}/login`);
    await pub.getByRole('link', { name: /Report it here/ }).click();
    await pub.waitForURL(`${base}/report`);
    await pub.getByLabel(/^Website address/).fill(`https://${REPORTED}/some/page`);
    await pub.getByLabel(/harmful to children/).check();
    await pub.getByRole('button', { name: 'Send report' }).click();
    await expect.poll(() => pub.getByText('Thank you, your report was received').isVisible()).toBe(true);
    expect(await pub.getByTestId('hotline').textContent()).toContain('111');
    await anon.close();

    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    const card = page.getByTestId(`report-${REPORTED}`);
    await expect.poll(() => card.isVisible()).toBe(true);
    await card.getByRole('combobox', { name: /^Into policy/ }).click();
    await page.getByRole('option', { name: 'school-e2e-policy' }).click();
    await card.getByRole('button', { name: 'Accept: block' }).click();
    await expect.poll(() => card.count()).toBe(0);
    const r = await eventually(() => dnsFrom127002(REPORTED), (x) => x.rcode === 'NXDOMAIN');
    expect(r.rcode).toBe('NXDOMAIN');
  });

  it('switches to Vietnamese, remembers it, and back', async () => {
    await page.getByRole('banner').getByText('Tiếng Việt').click();
    await expect.poll(() => page.getByRole('link', { name: 'Chính sách' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('vi');
    await page.reload();
    await expect.poll(() => page.getByRole('link', { name: 'Danh sách chặn' }).isVisible()).toBe(true);
    await page.getByRole('banner').getByText('English').click();
    await expect.poll(() => page.getByRole('link', { name: 'Blocklists' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    // a browser set to Vietnamese gets Vietnamese on its first visit
    const viCtx = await browser.newContext({ locale: 'vi-VN' });
    const vi = await viCtx.newPage();
    await vi.goto(`${base}/report`);
    await expect.poll(() => vi.getByRole('heading', { name: 'Báo cáo trang web' }).isVisible()).toBe(true);
    expect(await vi.getByTestId('hotline').textContent()).toContain('Tổng đài quốc gia bảo vệ trẻ em');
    await viCtx.close();
  });

  it('a network admin sees only their own network', async () => {
    await page.getByRole('link', { name: 'Admins' }).click();
    await page.getByRole('button', { name: 'New admin' }).click();
    await page.getByLabel(/^Username/).fill('teacher');
    await page.getByLabel(/^Password/).fill(NETADMIN_PASSWORD);
    await page.getByRole('dialog').getByLabel(/^Networks/).click();
    await page.getByRole('option', { name: 'school-e2e' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'teacher', exact: true }).isVisible()).toBe(true);

    const tctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const t = await tctx.newPage();
    await login(t, 'teacher', NETADMIN_PASSWORD);
    await t.getByRole('link', { name: 'Networks' }).click();
    await expect.poll(() => t.getByTestId('network-row-school-e2e').isVisible()).toBe(true);
    expect(await t.getByTestId('network-row-other-school').count()).toBe(0);
    expect(await t.getByTestId('network-row-lo').count()).toBe(0);
    // owner-only pages are not offered
    expect(await t.getByRole('link', { name: 'Admins' }).count()).toBe(0);
    // and another network's page by its address is refused by the API
    const other = (await (await page.request.get(`${base}/api/networks`)).json()) as { id: number; name: string }[];
    const otherId = other.find((n) => n.name === 'other-school')!.id;
    await t.goto(`${base}/networks/${otherId}`);
    await expect.poll(() => t.getByText('Could not load this').isVisible()).toBe(true);
    expect(await t.getByLabel(/^Name/).count()).toBe(0);
    await tctx.close();
  });

  const PAGES = ['/', '/networks', `/networks/NET`, '/policies', '/policies/POL', '/lists', '/tester', '/reports', '/export', '/audit', '/admins', '/settings'];

  it('axe finds no serious or critical violation on the main pages', async () => {
    const policies = (await (await page.request.get(`${base}/api/policies`)).json()) as { id: number; name: string }[];
    const polId = policies.find((p) => p.name === 'school-e2e-policy')!.id;
    const found: string[] = [];
    for (const path of [...PAGES.map((p) => p.replace('NET', String(networkId)).replace('POL', String(polId))), '/login', '/report']) {
      const p = path === '/login' ? await (await browser.newContext()).newPage() : page;
      await p.goto(base + path);
      await p.waitForLoadState('networkidle');
      for (const v of await seriousViolations(p)) found.push(`${path} ${v}`);
    }
    expect(found).toEqual([]);
  }, 240_000);

  it('screenshots every main page at 1280 and 375 px, in Vietnamese and English', async () => {
    const policies = (await (await page.request.get(`${base}/api/policies`)).json()) as { id: number; name: string }[];
    const polId = policies.find((p) => p.name === 'school-e2e-policy')!.id;
    const paths = [...PAGES.map((p) => p.replace('NET', String(networkId)).replace('POL', String(polId))), '/report', '/login'];
    for (const lang of ['vi', 'en']) {
      for (const width of [1280, 375]) {
        const c = await browser.newContext({ viewport: { width, height: 900 }, locale: lang === 'vi' ? 'vi-VN' : 'en-US' });
        await c.addCookies(await ctx.cookies());
        const p = await c.newPage();
        for (const path of paths) {
          if (path === '/login') await c.clearCookies();
          await p.goto(base + path);
          await p.waitForLoadState('networkidle');
          await p.waitForTimeout(300);
          const name = path === '/' ? 'dashboard' : path.slice(1).replace(/\/\d+$/, '-edit').replace(/\//g, '-');
          await p.screenshot({ path: join(SHOTS, `${name}-${lang}-${width}.png`), fullPage: true });
          // nothing may stick out sideways on a phone
          const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${path} at ${width} px (${lang})`).toBeLessThanOrEqual(0);
        }
        await c.close();
      }
    }
  }, 240_000);
});
