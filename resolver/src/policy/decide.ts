import { WireName } from '../dns/wire-name.js';
import { categories } from '../lists/categories.js';
import type { DomainMatcher } from '../lists/domain-matcher.js';
import { normalizeName } from '../lists/domain-name.js';
import { serviceCatalog, serviceIdOf } from '../lists/service-catalog.js';
import type { Explanation } from './compiled-policy.js';
import type { ServedNetwork } from './policy-snapshot.js';
import { Action, Decision, type DecisionReason } from './policy-types.js';

const ACTION_NAMES = { [Action.Allow]: 'allow', [Action.Block]: 'block', [Action.Rewrite]: 'rewrite' } as const;

/**
 * What `network`'s policy decides for `name` at `at`, with the reason: the same evaluation the
 * query path runs (CompiledPolicy.evaluate), with a fresh schedule state so asking about
 * another time never disturbs the live per-minute cache.
 *
 * `qtype` does not change the outcome today: a block blocks every type, and a safe-search
 * rewrite is a CNAME, which aliases every type of the name (see safe-search.ts). It is part of
 * the signature so a type-specific rule can be added without changing every caller.
 */
export function decide(network: ServedNetwork, name: string, qtype: number, at: Date, lists: DomainMatcher): DecisionReason {
  void qtype;
  const norm = normalizeName(name.trim());
  if ('error' in norm) throw new Error(`policy: not a domain name "${name}": ${norm.error}`);
  const wire = WireName.fromText(norm.name);
  const policy = network.policy;
  const state = policy.fillState(network.timezone, at.getTime(), policy.newState());
  const why: Explanation = { detail: '' };
  const out = new Decision();
  const action = policy.evaluate(wire.buf, wire.labelOffsets, wire.labelCount, state, lists, out, why);
  const reason: DecisionReason = { action: ACTION_NAMES[action], network: network.name, policy: policy.name, detail: why.detail };
  if (why.category !== undefined) {
    const category = categories.name(why.category);
    const service = category === undefined ? undefined : serviceCatalog().byId.get(serviceIdOf(category) ?? '');
    if (service) {
      reason.service = { id: service.id, name: service.name, group: service.group };
      reason.detail = why.detail.replace('category', 'service');
    } else reason.category = category;
  }
  if (why.rule) reason.rule = why.rule;
  if (why.schedule) reason.schedule = why.schedule;
  if (why.safeSearch) reason.safeSearch = why.safeSearch;
  reason.summary = summaryOf(reason);
  return reason;
}

/** One line for people: "blocked: TikTok, schedule 'lessons'". */
function summaryOf(r: DecisionReason): string {
  const what = r.service ? r.service.name.en
    : r.category !== undefined ? `category ${r.category}`
    : r.rule ? `rule "${r.rule.text}"`
    : r.safeSearch ? `safe search (${r.safeSearch.target})`
    : r.detail;
  const verb = r.action === 'block' ? 'blocked' : r.action === 'rewrite' ? 'rewritten' : 'allowed';
  const notNow = r.action === 'allow' && r.detail.endsWith('not blocked now') ? ' (not blocked now)' : '';
  return `${verb}: ${what}${notNow}${r.schedule ? `, schedule '${r.schedule}'` : ''}`;
}
