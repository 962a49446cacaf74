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
dns: { listen: ["nowhere"], udp_payload_max: 100 }
upstreams: ["tls://192.0.2.1:853", "ftp://x"]
cache: { min_ttl: 100, max_ttl: 10 }
policies: [{ name: a }, { name: a }]
networks: [{ name: n, policy: a, kind: castle }]
bogus: 1
`);
    const p = problems({ NESTGUARD_CONFIG: f });
    const text = p.join('\n');
    expect(text).toMatch(/dns\.listen\.0/);
    expect(text).toMatch(/dns\.udp_payload_max/);
    expect(text).toMatch(/networks\.0\.kind/);
    expect(text).toMatch(/bogus|additional/i);
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

  it('a file that cannot be read or parsed is named', () => {
    expect(problems({ NESTGUARD_CONFIG: '/nonexistent/nestguard.yaml' })[0]).toMatch(/NESTGUARD_CONFIG: cannot read/);
    expect(problems({ NESTGUARD_CONFIG: file('dns: [unclosed') })[0]).toMatch(/not valid YAML/);
  });
});
