import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { DEFAULT_TIMEZONE, loadNetworks, type NetworkKind } from '../store/network-repository.js';
import { loadPolicies } from '../store/policy-repository.js';
import { allocateCategoryBits } from '../store/category-bit-repository.js';
import { readConfigRevision } from '../store/config-revision.js';
import { AddressTable } from './address-table.js';
import { parseCidr } from './cidr.js';
import { categories } from '../lists/categories.js';
import { CompiledPolicy, serviceCategories, type ScheduleState } from './compiled-policy.js';
import type { BlockResponseSpec, NetworkRuntime } from './policy-types.js';
import { tokenAsDnsLabel } from './token-label.js';
import { isValidZone } from './schedule-window.js';

// Everything the query path needs, compiled from one consistent read of the store and never
// mutated afterwards except for the per-minute schedule state. A reload builds a new snapshot
// and swaps the reference: queries see the old one or the new one, never a mix, and the
// address memo goes with the old one.

export class ServedNetwork implements NetworkRuntime {
  readonly policyName: string;
  readonly block: BlockResponseSpec;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly kind: NetworkKind,
    readonly timezone: string,
    readonly policy: CompiledPolicy,
    /** shared by every network with this policy and time zone */
    private readonly state: ScheduleState,
  ) {
    this.policyName = policy.name;
    this.block = policy.block;
  }

  /** Active schedules now; recomputed only when the minute changes. */
  stateAt(ms: number): ScheduleState {
    if (Math.floor(ms / 60_000) !== this.state.minute) this.policy.fillState(this.timezone, ms, this.state);
    return this.state;
  }
}

export class PolicySnapshot {
  readonly byName = new Map<string, ServedNetwork>();
  readonly byToken = new Map<string, ServedNetwork>();
  readonly addresses = new AddressTable<ServedNetwork>();
  readonly policies = new Map<string, CompiledPolicy>();
  constructor(readonly revision: number) {}
}

export interface SnapshotDeps {
  logger: Pick<Logger, 'warn'>;
}

export function buildSnapshot(db: Db, deps: SnapshotDeps): PolicySnapshot {
  // one read transaction: the revision and the rows come from the same database state
  const { revision, policies, networks } = db.transaction(() => ({
    revision: readConfigRevision(db),
    policies: loadPolicies(db),
    networks: loadNetworks(db),
  }))();
  // the one place policies' category names get bits (validation only looks them up)
  categories.allocate((names) => allocateCategoryBits(db, names), policies.flatMap((p) => [
    ...p.block, ...serviceCategories(p.services),
    ...p.schedules.flatMap((s) => [...s.block, ...serviceCategories(s.services)]),
  ]));
  const snap = new PolicySnapshot(revision);
  const byId = new Map<number, CompiledPolicy>();
  for (const p of policies) {
    const compiled = new CompiledPolicy(p.id, p.name, p);
    for (const x of compiled.problems) deps.logger.warn({ policy: p.name, field: x.field }, `policy: ${p.name}.${x.field}: ${x.message}`);
    byId.set(p.id, compiled);
    snap.policies.set(p.name, compiled);
  }
  const states = new Map<string, ScheduleState>();
  for (const n of networks) {
    const policy = byId.get(n.policy_id)!;
    let zone = n.timezone;
    if (!isValidZone(zone)) {
      deps.logger.warn({ network: n.name }, `policy: network ${n.name}: unknown time zone "${zone}", using ${DEFAULT_TIMEZONE}`);
      zone = DEFAULT_TIMEZONE;
    }
    const key = `${policy.id}|${zone}`;
    let state = states.get(key);
    if (!state) states.set(key, (state = policy.newState()));
    const net = new ServedNetwork(n.id, n.name, n.kind, zone, policy, state);
    snap.byName.set(n.name, net);
    if (n.doh_token) {
      snap.byToken.set(n.doh_token, net);
      // a mixed-case legacy token arrives lower-cased over DoT: match it that way too (an
      // exact token of another network, set later, still wins)
      const label = tokenAsDnsLabel(n.doh_token);
      if (label !== null && label !== n.doh_token && !snap.byToken.has(label)) snap.byToken.set(label, net);
    }
    for (const text of n.cidrs) {
      const cidr = parseCidr(text);
      if (!cidr) { deps.logger.warn({ network: n.name }, `policy: network ${n.name}: ignoring invalid CIDR "${text}"`); continue; }
      const owner = snap.addresses.add(cidr, net);
      if (owner) deps.logger.warn({ network: n.name }, `policy: network ${n.name}: ${cidr.text} already belongs to ${owner.name}; ignored`);
    }
  }
  return snap;
}
