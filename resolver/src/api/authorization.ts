import type { Role } from '../store/admin-repository.js';

// Who may do what, one function per resource, called by every route (never an `if` per
// handler) and tested as a table. Roles:
// - owner: everything.
// - network-admin: the networks assigned to them (not their name or address ranges, which
//   are the operator's allocation), the policies only their networks use, their networks'
//   statistics and the reports that came from them.
// - viewer: reads statistics, networks and policies of their assigned networks (all of them
//   when assigned none); changes nothing.
// A route answers 404 for an object the actor may not read (its existence is not revealed)
// and 403 for one they may read but not change.

export interface Actor {
  id: number;
  username: string;
  role: Role;
  /** assigned network ids */
  networkIds: readonly number[];
}

const assigned = (a: Actor, networkId: number) => a.networkIds.includes(networkId);

/** The networks whose statistics and objects `a` may read: 'all' or a list of ids. */
export function readableNetworks(a: Actor): 'all' | readonly number[] {
  if (a.role === 'owner' || (a.role === 'viewer' && a.networkIds.length === 0)) return 'all';
  return a.networkIds;
}

export type NetworkAction = 'read' | 'edit' | 'edit-identity' | 'create' | 'delete';

/** `edit`: kind, time zone, contact, policy, token; `edit-identity`: name and address ranges. */
export function mayNetwork(a: Actor, action: NetworkAction, networkId?: number): boolean {
  if (a.role === 'owner') return true;
  if (action === 'read') {
    const scope = readableNetworks(a);
    return networkId !== undefined && (scope === 'all' || scope.includes(networkId));
  }
  if (a.role === 'network-admin' && action === 'edit') return networkId !== undefined && assigned(a, networkId);
  return false;
}

export type PolicyAction = 'read' | 'edit' | 'create' | 'delete';

/** `usedBy`: ids of the networks using the policy. A shared policy is edited only by someone
 *  who manages every network it affects. */
export function mayPolicy(a: Actor, action: PolicyAction, usedBy: readonly number[]): boolean {
  if (a.role === 'owner') return true;
  if (action === 'read') {
    const scope = readableNetworks(a);
    return scope === 'all' || usedBy.some((n) => scope.includes(n));
  }
  if (a.role === 'network-admin' && action === 'edit') return usedBy.length > 0 && usedBy.every((n) => assigned(a, n));
  return false;
}

export type ReportAction = 'read' | 'decide';

/** `networkId`: the network a report came from, null when it came from outside every network. */
export function mayReport(a: Actor, action: ReportAction, networkId: number | null): boolean {
  void action;
  if (a.role === 'owner') return true;
  if (a.role === 'network-admin') return networkId !== null && assigned(a, networkId);
  return false;
}

export function mayStats(a: Actor, networkId: number): boolean {
  const scope = readableNetworks(a);
  return scope === 'all' || scope.includes(networkId);
}

export type ListAction = 'read' | 'edit';

export function mayLists(a: Actor, action: ListAction): boolean {
  return action === 'read' || a.role === 'owner';
}

/** Admin accounts, the audit log and the settings (upstreams, cache): the owner's alone. */
export function mayAdministrate(a: Actor): boolean {
  return a.role === 'owner';
}
