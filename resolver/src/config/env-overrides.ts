// Environment overrides. The names are a public contract (Docker image, operators); each
// variable is remembered with the field it sets, so a problem with its value names the
// variable the operator actually wrote.

export interface EnvOverrides {
  /** merged over the file, like a partial config */
  values: Record<string, unknown>;
  /** field -> variable, for the variables that were set */
  fields: Map<string, string>;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A whole number from its text; anything else stays text, so the problem shows what was written. */
function integer(v: string): number | string {
  return /^\s*\d+\s*$/.test(v) ? Number(v) : v;
}

/** variable, the field it sets, and how its text becomes the value */
const VARIABLES: ReadonlyArray<[string, string, (v: string) => unknown]> = [
  ['NESTGUARD_DATA_DIR', 'data_dir', (v) => v],
  ['NESTGUARD_DNS_LISTEN', 'dns.listen', list],
  ['NESTGUARD_HTTP_LISTEN', 'http.listen', (v) => v],
  ['NESTGUARD_UPSTREAMS', 'upstreams', list],
  ['NESTGUARD_LOG_LEVEL', 'log_level', (v) => v],
  ['NESTGUARD_LOG_FORMAT', 'log_format', (v) => v],
  ['NESTGUARD_WORKERS', 'dns.workers', integer],
  ['NESTGUARD_DOT_LISTEN', 'dns.dot_listen', list],
  ['NESTGUARD_HTTPS_LISTEN', 'http.https_listen', (v) => v],
  ['NESTGUARD_TLS_CERT', 'tls.cert_file', (v) => v],
  ['NESTGUARD_TLS_KEY', 'tls.key_file', (v) => v],
  ['NESTGUARD_TLS_SERVER_NAME', 'tls.server_name', (v) => v],
];

export function envOverrides(env: NodeJS.ProcessEnv): EnvOverrides {
  const values: Record<string, unknown> = {};
  const fields = new Map<string, string>();
  for (const [name, field, parse] of VARIABLES) {
    const text = env[name];
    if (!text) continue;
    const keys = field.split('.');
    let at = values;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]] = parse(text);
    fields.set(field, name);
  }
  return { values, fields };
}
