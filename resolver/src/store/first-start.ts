import type { NetworkConfig, PolicyConfig } from '../config/config-schema.js';
import { parseCidr } from '../policy/cidr.js';
import { announceConfigWrite } from './config-revision.js';
import type { Db } from './database.js';
import { networkCount, upsertNetwork } from './network-repository.js';
import { policyIdByName, upsertPolicy } from './policy-repository.js';

// What a fresh install serves before anyone configures it: the machine itself and the private
// ranges behind it, with the protections that matter for children on by default. Without a
// network nothing would be served at all; without these ranges it would be an open resolver.

export const DEFAULT_POLICY: PolicyConfig = {
  name: 'default',
  description: 'Blocks adult, gambling, malware, phishing, scams, drugs and filter bypass; safe search on',
  block: ['adult', 'gambling', 'malware', 'phishing', 'scams', 'drugs', 'bypass'],
  safe_search: { google: true, youtube: 'moderate', bing: true, duckduckgo: true },
  block_mode: 'nxdomain',
};

export const DEFAULT_NETWORK: NetworkConfig = {
  name: 'local',
  kind: 'other',
  policy: 'default',
  cidrs: ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10'],
};

/**
 * Creates the default policy and the "local" network when the store has no network at all.
 * Run after importing the config file, so a file that defines networks gets no extra one.
 * Returns true when it created them. An existing policy named "default" is kept as it is.
 * Both are the operator's to edit through the API (origin 'api').
 */
export function ensureDefaults(db: Db): boolean {
  const created = db.transaction(() => {
    if (networkCount(db) > 0) return false;
    const policyId = policyIdByName(db, DEFAULT_POLICY.name) ?? upsertPolicy(db, DEFAULT_POLICY, 'api');
    upsertNetwork(db, { ...DEFAULT_NETWORK, cidrs: DEFAULT_NETWORK.cidrs!.map((c) => parseCidr(c)!.text) }, policyId, 'api');
    return true;
  }).immediate();
  if (created) announceConfigWrite(db);
  return created;
}
