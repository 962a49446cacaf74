import type { NetworkConfig, PolicyConfig } from '../config/config-schema.js';
import { parseCidr } from './cidr.js';
import { serviceCatalog } from '../lists/service-catalog.js';
import { CompiledPolicy, type PolicyProblem } from './compiled-policy.js';
import { isValidZone, parseHhmm } from './schedule-window.js';
import { didYouMean } from '../config/nearest-word.js';
import { tokenAsDnsLabel } from './token-label.js';

// What the config schema cannot express, checked before anything is written: the same checks
// for the config file and the admin API, every problem named by its field.

const CATEGORY = /^[a-z][a-z0-9_-]{0,31}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** Problems of one policy; fields are relative to it ("deny[2]", "schedules[0].to"). */
export function policyProblems(p: PolicyConfig): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const cats = (names: readonly string[] | undefined, field: string) =>
    (names ?? []).forEach((c, i) => { if (!CATEGORY.test(c.toLowerCase())) out.push({ field: `${field}[${i}]`, message: `not a category name: "${c}"` }); });
  const noAt = (rules: readonly string[] | undefined, field: string) =>
    (rules ?? []).forEach((r, i) => { if (r.trim().startsWith('@@')) out.push({ field: `${field}[${i}]`, message: `an allow rule is written without "@@": "${r}"` }); });
  const services = (ids: readonly string[] | undefined, field: string) =>
    (ids ?? []).forEach((id, i) => {
      const catalog = serviceCatalog();
      if (catalog.expand([id]).unknown.length) out.push({ field: `${field}[${i}]`, message: `unknown service "${id}"${didYouMean(id, [...catalog.byId.keys(), ...catalog.groupById.keys()])}; known ${catalog.knownIds()}` });
    });
  cats(p.block, 'block');
  services(p.services, 'services');
  noAt(p.allow, 'allow');
  const seen = new Set<string>();
  (p.schedules ?? []).forEach((s, i) => {
    const f = `schedules[${i}]`;
    if (seen.has(s.name)) out.push({ field: `${f}.name`, message: `duplicate schedule name "${s.name}"` });
    seen.add(s.name);
    if (s.from === '24:00') out.push({ field: `${f}.from`, message: 'a window cannot start at 24:00' });
    else if (parseHhmm(s.from) === parseHhmm(s.to)) out.push({ field: `${f}.to`, message: 'must differ from "from" (a whole day is 00:00-24:00)' });
    cats(s.block, `${f}.block`);
    services(s.services, `${f}.services`);
    noAt(s.allow, `${f}.allow`);
    (s.except ?? []).forEach((e, k) => {
      if (!validDate(e.from)) out.push({ field: `${f}.except[${k}].from`, message: `not a date: "${e.from}"` });
      else if (!validDate(e.to)) out.push({ field: `${f}.except[${k}].to`, message: `not a date: "${e.to}"` });
      else if (e.from > e.to) out.push({ field: `${f}.except[${k}].to`, message: `ends before it starts (${e.from} > ${e.to})` });
    });
  });
  out.push(...new CompiledPolicy(0, p.name, p).problems);
  return out;
}

/** Categories the policy blocks that no list provides: they would block nothing. */
export function unknownCategoryProblems(p: PolicyConfig, known: ReadonlySet<string>): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const list = [...known].sort().join(', ');
  const check = (names: readonly string[] | undefined, field: string) => (names ?? []).forEach((c, i) => {
    const n = c.toLowerCase();
    if (!CATEGORY.test(n) || known.has(n)) return;
    // an app's name under block: is a likely slip: say where it goes
    if (serviceCatalog().byId.has(n)) out.push({ field: `${field}[${i}]`, message: `"${c}" is a service, not a category: list it under services` });
    else out.push({ field: `${field}[${i}]`, message: `unknown category "${c}"${didYouMean(n, known)}; known categories: ${list}; services (apps) go under services` });
  });
  check(p.block, 'block');
  (p.schedules ?? []).forEach((s, i) => check(s.block, `schedules[${i}].block`));
  return out;
}

/** Problems of one network; `policies` are the policy names that will exist. */
/**
 * Accepted but limited: a legacy `doh_token` that no DNS label can carry (an "_", or over 63
 * characters) makes no valid DoT host name, so the API offers none for it and devices that
 * check host names (Android's Private DNS) could not use one. The token is never put in the message.
 */
export function networkWarnings(n: NetworkConfig): PolicyProblem[] {
  if (n.doh_token === undefined || tokenAsDnsLabel(n.doh_token) !== null) return [];
  return [{
    field: 'doh_token', warning: true,
    message: 'is not a DNS label (8-63 lower-case letters, digits or "-"): it selects the network over DoH (/dns-query/{token}), '
      + 'but {token}.{tls.server_name} is no valid host name for DoT clients; give the network a `token` that is one',
  }];
}

export function networkProblems(n: NetworkConfig, policies: ReadonlySet<string>): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  if (!policies.has(n.policy)) out.push({ field: 'policy', message: `unknown policy "${n.policy}"` });
  if (n.timezone !== undefined && !isValidZone(n.timezone)) out.push({ field: 'timezone', message: `unknown time zone "${n.timezone}"` });
  (n.cidrs ?? []).forEach((c, i) => {
    if (!parseCidr(c)) out.push({ field: `cidrs[${i}]`, message: `not a CIDR: "${c}"` });
  });
  return out;
}
