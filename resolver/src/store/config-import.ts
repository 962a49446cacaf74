import type { Config } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import { parseCidr } from '../policy/cidr.js';
import { networkProblems, networkWarnings, policyProblems } from '../policy/policy-validation.js';
import { announceConfigWrite } from './config-revision.js';
import type { Db } from './database.js';
import { networkOwningCidr, networkOwningToken, releaseUndeclaredNetworks, upsertNetwork } from './network-repository.js';
import { policyIdByName, releaseUndeclaredPolicies, upsertPolicy } from './policy-repository.js';

// Configuration as code: the config file's policies and networks are written into the store at
// start, upserted by name, all or nothing, and marked origin 'config' (read-only through the
// API). Entries the file does not mention (made in the console) are left alone, so the file and
// the console can share one store.

export interface ImportResult {
  policies: number;
  networks: number;
  /** accepted but not enforced (e.g. a safe-search engine without a DNS endpoint) */
  warnings: string[];
}

export function importConfig(db: Db, config: Pick<Config, 'policies' | 'networks'>): ImportResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  config.policies.forEach((p, i) => {
    for (const x of policyProblems(p)) (x.warning ? warnings : problems).push(`policies[${i}].${x.field}: ${x.message}`);
  });

  const result = db.transaction((): ImportResult => {
    const known = new Set([...config.policies.map((p) => p.name)]);
    const cidrOwner = new Map<string, string>();
    const tokenOwner = new Map<string, string>();
    const canonical = config.networks.map((n, i) => {
      if (!known.has(n.policy) && policyIdByName(db, n.policy) !== undefined) known.add(n.policy);
      for (const x of networkProblems(n, known)) problems.push(`networks[${i}].${x.field}: ${x.message}`);
      for (const x of networkWarnings(n)) warnings.push(`networks[${i}].${x.field}: ${x.message}`);
      const cidrs: string[] = [];
      (n.cidrs ?? []).forEach((c, k) => {
        const parsed = parseCidr(c);
        if (!parsed) return;
        const other = cidrOwner.get(parsed.text) ?? networkOwningCidr(db, parsed.text);
        if (other !== undefined && other !== n.name) problems.push(`networks[${i}].cidrs[${k}]: ${parsed.text} already belongs to network "${other}"`);
        cidrOwner.set(parsed.text, n.name);
        cidrs.push(parsed.text);
      });
      if (n.doh_token !== undefined) {
        const other = tokenOwner.get(n.doh_token) ?? networkOwningToken(db, n.doh_token);
        if (other !== undefined && other !== n.name) problems.push(`networks[${i}].doh_token: already used by network "${other}"`);
        tokenOwner.set(n.doh_token, n.name);
      }
      return { ...n, cidrs };
    });
    if (problems.length) throw new ConfigError(problems);

    const ids = new Map<string, number>();
    for (const p of config.policies) ids.set(p.name, upsertPolicy(db, p));
    for (const n of canonical) upsertNetwork(db, n, ids.get(n.policy) ?? policyIdByName(db, n.policy)!);
    // what the file stopped declaring is no longer provisioned: the API may edit it now
    releaseUndeclaredPolicies(db, config.policies.map((p) => p.name));
    releaseUndeclaredNetworks(db, canonical.map((n) => n.name));
    return { policies: config.policies.length, networks: canonical.length, warnings };
  }).immediate();
  announceConfigWrite(db);
  return result;
}
