import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../resolver/src/config/load-config.js';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-config-'));
  const f = join(dir, 'nestguard.yaml');
  writeFileSync(f, text);
  return f;
}

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('embedded defaults need no file', () => {
    const { config, baseDir } = loadConfig({}, '/srv/ng');
    expect(config.dns.listen).toEqual(['127.0.0.1:5353']);
    expect(config.http.listen).toBe('127.0.0.1:8080');
    expect(config.data_dir).toBe('/srv/ng/data');
    expect(baseDir).toBe('/srv/ng');
  });

  it('environment overrides the file, lists are comma separated', () => {
    const f = file('dns: { listen: ["127.0.0.1:53"] }\nupstreams: ["udp://192.0.2.1:53"]\n');
    const { config, baseDir } = loadConfig({
      NESTGUARD_CONFIG: f,
      NESTGUARD_DNS_LISTEN: '127.0.0.1:5300, [::1]:5300',
      NESTGUARD_UPSTREAMS: 'udp://127.0.0.1:53,tls://127.0.0.1:853#dot.test,https://dns.example/dns-query',
      NESTGUARD_HTTP_LISTEN: '[::1]:8081',
      NESTGUARD_DATA_DIR: '/var/lib/ng',
    }, '/srv');
    expect(config.dns.listen).toEqual(['127.0.0.1:5300', '[::1]:5300']);
    expect(config.upstreams).toHaveLength(3);
    expect(config.http.listen).toBe('[::1]:8081');
    expect(config.data_dir).toBe('/var/lib/ng');
    expect(baseDir).toBe(join(f, '..'));
  });

  it('lists every problem by field, from the schema and beyond it', () => {
    const f = file(`
dns: { listen: ["nowhere"], udp_payload_max: 100, ratelimit_exempt: ["127.0.0.0/8", "10.0.0.0/33"] }
upstreams: ["tls://192.0.2.1:853", "ftp://x"]
cache: { min_ttl: 100, max_ttl: 10 }
policies: [{ name: a }, { name: a }]
networks: [{ name: n, policy: a, kind: castle }]
bogus: 1
`);
    const p = problems({ NESTGUARD_CONFIG: f });
    const text = p.join('\n');
    expect(text).toMatch(/dns\.listen\[0\]: "nowhere" is not address:port/);
    expect(text).toMatch(/dns\.udp_payload_max: 100 is too small; the least allowed is 512/);
    expect(text).toMatch(/dns\.ratelimit_exempt\[1\]: not an address range: "10\.0\.0\.0\/33"/);
    expect(text).toMatch(/networks\[0\]\.kind: "castle" is not allowed; use one of: school, home, isp, other/);
    expect(text).toMatch(/bogus: unknown key "bogus"; known keys: data_dir/);
    for (const x of p) expect(x.split(': ')[0]).not.toMatch(/\.\d/); // one path style: [0], never .0
    expect(p.length).toBeGreaterThanOrEqual(4);
  });

  it('semantic checks name the field: upstream URLs, TTL order, duplicate names', () => {
    const f = file(`
upstreams: ["tls://192.0.2.1:853", "ftp://x", "udp://dns.example:53"]
cache: { min_ttl: 100, max_ttl: 10 }
policies: [{ name: a }, { name: a }]
`);
    const text = problems({ NESTGUARD_CONFIG: f }).join('\n');
    expect(text).toMatch(/upstreams\[0\].*certificate name/);
    expect(text).toMatch(/upstreams\[1\].*scheme/);
    expect(text).toMatch(/upstreams\[2\].*IP address/);
    expect(text).toMatch(/cache\.min_ttl/);
    expect(text).toMatch(/policies\[1\]\.name: duplicate/);
  });

  it('every problem of a file in one pass, in words that say what is allowed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestguard-config-'));
    const f = join(dir, 'nestguard.yaml');
    writeFileSync(f, `
upstreams: ["udp//127.0.0.1:15553"]
upstream: { tls_ca_file: missing-ca.pem }
blocklists: [{ name: extra, category: drugs, source: lists/extra.txt }]
policies:
  - name: school
    block: [drugz, adult]
    block_mode: blackhole
    schedules: [{ name: lessons, days: [mon, tues], from: "7:00", to: "17:00", block: [gamez] }]
networks: [{ name: lab, policy: school, cidrs: [127.0.0.1/32], timezone: Asia/Nowhere }]
`);
    const p = problems({ NESTGUARD_CONFIG: f });
    expect(p).toEqual([
      'policies[0].block_mode: "blackhole" is not allowed; use one of: nxdomain, null, refused, custom',
      'policies[0].schedules[0].days[1]: "tues" is not allowed; use one of: mon, tue, wed, thu, fri, sat, sun (did you mean "tue"?)',
      'policies[0].schedules[0].from: "7:00" is not a time of day as HH:MM with two-digit hours, e.g. "07:00" (00:00 to 24:00)',
      'upstreams[0]: "udp//127.0.0.1:15553": the scheme is written "udp://" (colon and two slashes): udp://127.0.0.1:15553',
      expect.stringMatching(/^policies\[0\]\.block\[0\]: unknown category "drugz" \(did you mean "drugs"\?\); known categories: ads, adult, .*gambling, games, .*weapons; services \(apps\) go under services$/),
      expect.stringMatching(/^policies\[0\]\.schedules\[0\]\.block\[0\]: unknown category "gamez" \(did you mean "games"\?\)/),
      'networks[0].timezone: unknown time zone "Asia/Nowhere"',
      `upstream.tls_ca_file: "missing-ca.pem" (${join(dir, 'missing-ca.pem')}) does not exist; expected the CA bundle for TLS upstreams`,
      `blocklists[0].source: "lists/extra.txt" (${join(dir, 'lists/extra.txt')}) does not exist; expected the list file`,
    ]);
  });

  it('a category brought by a configured list is known; files it names that exist pass', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestguard-config-'));
    writeFileSync(join(dir, 'homework.txt'), 'homework-cheats.example.org\n');
    writeFileSync(join(dir, 'ca.pem'), '');
    const f = join(dir, 'nestguard.yaml');
    writeFileSync(f, `
upstream: { tls_ca_file: ca.pem }
blocklists: [{ name: cheats, category: cheating, source: homework.txt }]
policies: [{ name: school, block: [cheating, adult] }]
`);
    const { config } = loadConfig({ NESTGUARD_CONFIG: f }, '/srv');
    expect(config.upstream.tls_ca_file).toBe(join(dir, 'ca.pem'));
    writeFileSync(f, 'policies: [{ name: school, block: [cheating] }]\n');
    expect(problems({ NESTGUARD_CONFIG: f })[0]).toMatch(/^policies\[0\]\.block\[0\]: unknown category "cheating"/);
  });

  it('a bad environment value names its variable and the form expected', () => {
    const p = problems({ NESTGUARD_DNS_LISTEN: '127.0.0.1:5300,::1:15620', NESTGUARD_WORKERS: 'two', NESTGUARD_HTTP_LISTEN: 'localhost', NESTGUARD_LOG_LEVEL: 'verbose' });
    expect(p).toEqual([
      'NESTGUARD_LOG_LEVEL (log_level): "verbose" is not allowed; use one of: fatal, error, warn, info, debug, trace, silent',
      'NESTGUARD_DNS_LISTEN (dns.listen[1]): "::1:15620" is not address:port, e.g. 127.0.0.1:53 or [::1]:53; an IPv6 address goes in brackets: [::1]:15620',
      'NESTGUARD_WORKERS (dns.workers): expected a whole number, got "two"',
      'NESTGUARD_HTTP_LISTEN (http.listen): "localhost" is not address:port, e.g. 127.0.0.1:53 or [::1]:53',
    ]);
  });

  it('an app under block: is pointed to services:, a mistyped service gets the nearest id', () => {
    const p = problems({ NESTGUARD_CONFIG: file('policies: [{ name: school, block: [tiktok], services: [robloxx] }]\n') });
    expect(p).toHaveLength(2);
    expect(p[0]).toBe('policies[0].block[0]: "tiktok" is a service, not a category: list it under services');
    expect(p[1]).toMatch(/^policies\[0\]\.services\[0\]: unknown service "robloxx" \(did you mean "roblox"\?\); known services: /);
  });

  it('a section whose keys are all commented out keeps its defaults', () => {
    const { config } = loadConfig({ NESTGUARD_CONFIG: file('cache:\n  # max_entries: 10\nupstream:\n') }, '/srv');
    expect(config.cache.max_entries).toBe(200_000);
    expect(config.upstream.try_timeout_ms).toBe(1200);
  });

  it('a file that cannot be read or parsed is named', () => {
    expect(problems({ NESTGUARD_CONFIG: '/nonexistent/nestguard.yaml' })[0]).toMatch(/NESTGUARD_CONFIG: cannot read/);
    expect(problems({ NESTGUARD_CONFIG: file('dns: [unclosed') })[0]).toMatch(/not valid YAML/);
  });
});
