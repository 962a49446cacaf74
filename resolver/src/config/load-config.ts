import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from './config-schema.js';
import { parseUpstreamUrl } from '../upstream/upstream-url.js';
import { parseHostPort } from './host-port.js';

export const DEFAULTS: Config = {
  data_dir: './data',
  log_level: 'info',
  dns: {
    listen: ['127.0.0.1:5353'],
    udp_payload_max: 1232,
    tcp_idle_timeout_ms: 10_000,
    tcp_max_connections: 1000,
    workers: 0,
  },
  http: { listen: '127.0.0.1:8080' },
  // Quad9 and Cloudflare for Families (malware blocking) over TLS; operators override.
  upstreams: ['tls://9.9.9.9:853#dns.quad9.net', 'tls://1.1.1.2:853#security.cloudflare-dns.com'],
  upstream: { try_timeout_ms: 1200, resolve_timeout_ms: 3000 },
  cache: {
    max_entries: 200_000,
    max_bytes: 128 * 1024 * 1024,
    min_ttl: 0,
    max_ttl: 86_400,
    negative_max_ttl: 3600,
    stale_window_s: 86_400,
    stale_answer_ttl: 30,
    stale_answer_timeout_ms: 1800,
    prefetch: true,
  },
  lists: { refresh_hours: 24, fetch_timeout_ms: 30_000, max_bytes: 200 * 1024 * 1024, max_regex: 1000, bundled: true },
  stats: { flush_interval_s: 10, hourly_retention_days: 90, daily_retention_days: 730, domain_threshold: 10, suppress_below: 5 },
  blocklists: [],
  policies: [],
  networks: [],
};

export interface LoadedConfig {
  config: Config;
  /** directory relative paths in the file (list sources) are resolved against */
  baseDir: string;
  /** the file read, if any */
  file?: string;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`config: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Environment overrides: the names are a public contract (Docker image, operators). */
function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (env.NESTGUARD_DATA_DIR) o.data_dir = env.NESTGUARD_DATA_DIR;
  if (env.NESTGUARD_DNS_LISTEN) o.dns = { listen: list(env.NESTGUARD_DNS_LISTEN) };
  if (env.NESTGUARD_HTTP_LISTEN) o.http = { listen: env.NESTGUARD_HTTP_LISTEN };
  if (env.NESTGUARD_UPSTREAMS) o.upstreams = list(env.NESTGUARD_UPSTREAMS);
  if (env.NESTGUARD_LOG_LEVEL) o.log_level = env.NESTGUARD_LOG_LEVEL;
  if (env.NESTGUARD_WORKERS) o.dns = { ...(o.dns as object), workers: Number(env.NESTGUARD_WORKERS) };
  return o;
}

/** Checks the schema cannot express; every problem is named by its field. */
function semanticProblems(c: Config): string[] {
  const p: string[] = [];
  c.dns.listen.forEach((l, i) => {
    try { parseHostPort(l); } catch (e) { p.push(`dns.listen[${i}]: ${(e as Error).message}`); }
  });
  try { parseHostPort(c.http.listen); } catch (e) { p.push(`http.listen: ${(e as Error).message}`); }
  c.upstreams.forEach((u, i) => {
    try { parseUpstreamUrl(u); } catch (e) { p.push(`upstreams[${i}]: ${(e as Error).message}`); }
  });
  if (c.cache.min_ttl > c.cache.max_ttl) p.push('cache.min_ttl: must not exceed cache.max_ttl');
  const dup = (what: string, names: string[]) => {
    const seen = new Set<string>();
    names.forEach((n, i) => { if (seen.has(n)) p.push(`${what}[${i}].name: duplicate name "${n}"`); seen.add(n); });
  };
  dup('blocklists', c.blocklists.map((b) => b.name));
  dup('policies', c.policies.map((x) => x.name));
  dup('networks', c.networks.map((x) => x.name));
  return p;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const file = env.NESTGUARD_CONFIG ? resolve(cwd, env.NESTGUARD_CONFIG) : undefined;
  let fromFile: unknown = {};
  if (file) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { throw new ConfigError([`NESTGUARD_CONFIG: cannot read ${file}: ${(e as Error).message}`]); }
    try { fromFile = parseYaml(text) ?? {}; } catch (e) { throw new ConfigError([`${file}: not valid YAML/JSON: ${(e as Error).message}`]); }
    if (!isObject(fromFile)) throw new ConfigError([`${file}: the top level must be a mapping`]);
  }
  const merged = merge(merge(DEFAULTS, fromFile), envOverrides(env));
  const problems = [...Value.Errors(ConfigSchema, merged)].map((e) => `${e.path.slice(1).replace(/\//g, '.') || '(top level)'}: ${e.message}`);
  if (problems.length) throw new ConfigError(problems);
  const config = merged as Config;
  const more = semanticProblems(config);
  if (more.length) throw new ConfigError(more);
  const baseDir = file ? dirname(file) : cwd;
  config.data_dir = resolve(cwd, config.data_dir);
  return { config, baseDir, file };
}
