import type { Running } from './app.js';
import type { LoadedConfig } from './config/load-config.js';
import { parseHostPort } from './config/host-port.js';
import { loadNetworks } from './store/network-repository.js';
import { loadPolicies } from './store/policy-repository.js';

// What an operator needs to see once, when the resolver is up: where it answers, where it
// forwards, what it filters and for whom, and where the console is. Words of the
// configuration file, not internal counters.

const MAX_NETWORKS_SHOWN = 8;
const MAX_CIDRS_SHOWN = 3;

function httpUrl(listen: string): string {
  const { host, port } = parseHostPort(listen);
  const h = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  return `http://${h}:${port}`;
}

export interface StartupSummary {
  /** the lines, for a person */
  text: string;
  /** the same facts as fields, for a log collector */
  fields: Record<string, unknown>;
}

export function startupSummary(loaded: LoadedConfig, running: Running): StartupSummary {
  const { config } = loaded;
  const sources = running.lists.status().filter((s) => s.live);
  const entries = running.lists.matcher.size;
  const networks = loadNetworks(running.db);
  const policies = loadPolicies(running.db).length;
  const web = running.http ? httpUrl(config.http.listen) : null;
  const consoleAt = web === null ? 'not served by this process' : running.console ? `${web}/` : `not built (npm run build builds it), API at ${web}/api`;
  const nets = networks.slice(0, MAX_NETWORKS_SHOWN).map((n) => {
    const cidrs = n.cidrs.length > MAX_CIDRS_SHOWN ? `${n.cidrs.slice(0, MAX_CIDRS_SHOWN).join(', ')} and ${n.cidrs.length - MAX_CIDRS_SHOWN} more` : n.cidrs.join(', ');
    return `             ${n.name} (${cidrs || 'DoH token only'}) -> policy ${n.policy}`;
  });
  if (networks.length > MAX_NETWORKS_SHOWN) nets.push(`             and ${networks.length - MAX_NETWORKS_SHOWN} more`);
  const lines = [
    'Nestguard is serving',
    `  DNS        ${config.dns.listen.join(', ')} (UDP and TCP)`,
    `  DoH        ${web ? `${web}/dns-query` : 'not served by this process'}`,
    `  console    ${consoleAt}`,
    `  upstreams  ${config.upstreams.join(', ')}`,
    `  lists      ${sources.length} ${sources.length === 1 ? 'source' : 'sources'}, ${entries.toLocaleString('en-US')} blocked names and rules`,
    `  policies   ${policies}`,
    `  networks   ${networks.length}${networks.length === 0 ? ' (every query is refused: add a network)' : ''}`,
    ...nets,
    `  config     ${loaded.file ?? 'embedded defaults (set NESTGUARD_CONFIG to use a file)'}`,
    `  data       ${config.data_dir}`,
  ];
  return {
    text: lines.join('\n'),
    fields: {
      dns: config.dns.listen,
      http: config.http.listen,
      upstreams: config.upstreams,
      lists: { sources: sources.length, entries },
      policies,
      networks: networks.map((n) => n.name),
      config: loaded.file ?? null,
      dataDir: config.data_dir,
    },
  };
}
