import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { knownCategories } from '../lists/known-categories.js';
import { parseCidr } from '../policy/cidr.js';
import type { PolicyProblem } from '../policy/compiled-policy.js';
import { networkProblems, policyProblems, unknownCategoryProblems } from '../policy/policy-validation.js';
import { parseUpstreamUrl } from '../upstream/upstream-url.js';
import { ConfigProblems, fieldFromPointer } from './config-problems.js';
import { ConfigSchema, type Config } from './config-schema.js';
import { envOverrides } from './env-overrides.js';
import { parseHostPort } from './host-port.js';
import { namedFileProblems } from './named-files.js';
import { schemaMessage } from './schema-messages.js';

export const DEFAULTS: Config = {
  data_dir: './data',
  log_level: 'info',
  log_format: 'auto',
  config_watch: false,
  dns: {
    listen: ['127.0.0.1:5353'],
    udp_payload_max: 1232,
    tcp_idle_timeout_ms: 10_000,
    tcp_max_connections: 1000,
    tcp_frame_timeout_ms: 3000,
    tcp_max_connections_per_prefix: 100,
    dot_listen: [],
    workers: 0,
    ratelimit: 1000,
    ratelimit_slip: 2,
    ratelimit_ipv4_prefix: 24,
    ratelimit_ipv6_prefix: 56,
    // the machine itself (health checks, a local forwarder, benchmarks) is never limited
    ratelimit_exempt: ['127.0.0.0/8', '::1/128'],
  },
  http: { listen: '127.0.0.1:8080', max_connections: 1000, trusted_proxies: [], https_admin: true },
  tls: {},
  // Quad9 and Cloudflare for Families (malware blocking) over TLS; operators override.
  upstreams: ['tls://9.9.9.9:853#dns.quad9.net', 'tls://1.1.1.2:853#security.cloudflare-dns.com'],
  upstream: { try_timeout_ms: 1200, resolve_timeout_ms: 3000, max_waiting: 20_000 },
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
  /** directory relative paths in the file (list sources, the CA bundle) are resolved against */
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
  // a section written with all its keys commented out (`tls:` alone) reads as null: its defaults
  if (over === undefined || (over === null && isObject(base))) return base;
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Runs one check unless its field already failed the schema (it would only repeat that). */
function guarded(p: ConfigProblems, field: string, check: () => void): void {
  if (p.has(field)) return;
  try { check(); } catch (e) { p.add(field, (e as Error).message); }
}

/** A network may name a policy made in the console: that is checked against the store, at import. */
const ANY_POLICY: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

/**
 * Checks the schema cannot express, run on whatever passed the schema so that one pass
 * reports everything; every problem is named by its field.
 */
function semanticProblems(c: Config, baseDir: string, p: ConfigProblems): void {
  const arr = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
  arr(c.dns?.listen).forEach((l, i) => guarded(p, `dns.listen[${i}]`, () => parseHostPort(l)));
  arr(c.dns?.ratelimit_exempt).forEach((r, i) => guarded(p, `dns.ratelimit_exempt[${i}]`, () => {
    if (parseCidr(r) === null) throw new Error(`not an address range: "${r}"`);
  }));
  guarded(p, 'http.listen', () => parseHostPort(c.http.listen));
  arr(c.dns?.dot_listen).forEach((l, i) => guarded(p, `dns.dot_listen[${i}]`, () => parseHostPort(l)));
  if (c.http?.https_listen !== undefined) guarded(p, 'http.https_listen', () => parseHostPort(c.http.https_listen!));
  const wantsTls = arr(c.dns?.dot_listen).length > 0 || c.http?.https_listen !== undefined;
  if (wantsTls && !c.tls?.cert_file) p.add('tls.cert_file', 'is needed by dns.dot_listen and http.https_listen: the server certificate (PEM)');
  if (wantsTls && !c.tls?.key_file) p.add('tls.key_file', 'is needed by dns.dot_listen and http.https_listen: the certificate\'s private key (PEM)');
  arr(c.networks).forEach((n, i) => {
    if (n?.token !== undefined && n.doh_token !== undefined && n.token !== n.doh_token) p.add(`networks[${i}].doh_token`, 'differs from token; give one of them');
  });
  arr(c.http?.trusted_proxies).forEach((r, i) => guarded(p, `http.trusted_proxies[${i}]`, () => {
    if (parseCidr(r) === null) throw new Error(`not an address range: "${r}"`);
  }));
  arr(c.upstreams).forEach((u, i) => guarded(p, `upstreams[${i}]`, () => parseUpstreamUrl(u)));
  if (!p.has('cache') && c.cache.min_ttl > c.cache.max_ttl) p.add('cache.min_ttl', `${c.cache.min_ttl} exceeds cache.max_ttl (${c.cache.max_ttl})`);
  const dup = (what: string, items: Array<{ name?: unknown }>) => {
    const seen = new Set<unknown>();
    arr(items).forEach((x, i) => {
      if (typeof x?.name === 'string' && seen.has(x.name)) p.add(`${what}[${i}].name`, `duplicate name "${x.name}"`);
      seen.add(x?.name);
    });
  };
  dup('blocklists', c.blocklists);
  dup('policies', c.policies);
  dup('networks', c.networks);
  const categories = p.has('blocklists') || p.has('lists') ? null : knownCategories(c);
  arr(c.policies).forEach((pol, i) => {
    // a policy with a schema problem is still checked field by field: a wrong category
    // beside a wrong block_mode is reported in the same pass
    let found: PolicyProblem[] = categories ? unknownCategoryProblems(pol, categories) : [];
    try { found = found.concat(policyProblems(pol)); } catch { /* its schema problems say why */ }
    for (const x of found) {
      const field = `policies[${i}].${x.field}`;
      // warnings (accepted, not enforced) are logged when the policies are imported
      if (!x.warning && !p.has(field)) p.add(field, x.message);
    }
  });
  arr(c.networks).forEach((n, i) => guarded(p, `networks[${i}]`, () => {
    for (const x of networkProblems(n, ANY_POLICY)) p.add(`networks[${i}].${x.field}`, x.message);
  }));
  if (!p.has('upstream') && !p.has('blocklists')) for (const f of namedFileProblems(c, baseDir)) p.add(f.field, f.message);
}

/**
 * Reads the file named by NESTGUARD_CONFIG (if any) over the defaults, then the environment
 * over both, and checks all of it, the files it names included, before anything uses it.
 * Throws a ConfigError listing every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const file = env.NESTGUARD_CONFIG ? resolve(cwd, env.NESTGUARD_CONFIG) : undefined;
  let fromFile: unknown = {};
  if (file) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { throw new ConfigError([`NESTGUARD_CONFIG: cannot read ${file}: ${(e as Error).message}`]); }
    try { fromFile = parseYaml(text) ?? {}; } catch (e) { throw new ConfigError([`${file}: not valid YAML/JSON: ${(e as Error).message}`]); }
    if (!isObject(fromFile)) throw new ConfigError([`${file}: the top level must be a mapping`]);
  }
  const overrides = envOverrides(env);
  const merged = merge(merge(DEFAULTS, fromFile), overrides.values);
  const problems = new ConfigProblems(overrides.fields);
  for (const e of Value.Errors(ConfigSchema, merged)) problems.add(fieldFromPointer(e.path), schemaMessage(e));
  const baseDir = file ? dirname(file) : cwd;
  const config = merged as Config;
  semanticProblems(config, baseDir, problems);
  if (problems.length) throw new ConfigError(problems.list);
  config.data_dir = resolve(cwd, config.data_dir);
  if (config.upstream.tls_ca_file) config.upstream.tls_ca_file = resolve(baseDir, config.upstream.tls_ca_file);
  if (config.tls.cert_file) config.tls.cert_file = resolve(baseDir, config.tls.cert_file);
  if (config.tls.key_file) config.tls.key_file = resolve(baseDir, config.tls.key_file);
  // `token` is the network's name for it; `doh_token` the older one the store keeps
  for (const n of config.networks) if (n.token !== undefined) n.doh_token = n.token;
  return { config, baseDir, file };
}
