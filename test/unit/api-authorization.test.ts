import { describe, expect, it } from 'vitest';
import { mayAdministrate, mayLists, mayNetwork, mayPolicy, mayReport, mayStats, type Actor } from '../../resolver/src/api/authorization.js';

// The authorisation rules as one table: every role (and scope) against every resource and
// action. Network 1 and 2 are the network admin's; 3 is someone else's.

const owner: Actor = { id: 1, username: 'o', role: 'owner', networkIds: [] };
const netAdmin: Actor = { id: 2, username: 'n', role: 'network-admin', networkIds: [1, 2] };
const unassignedAdmin: Actor = { id: 3, username: 'u', role: 'network-admin', networkIds: [] };
const viewerAll: Actor = { id: 4, username: 'va', role: 'viewer', networkIds: [] };
const viewerOne: Actor = { id: 5, username: 'v1', role: 'viewer', networkIds: [1] };

type Row = [string, (a: Actor) => boolean, [boolean, boolean, boolean, boolean, boolean]];
//                                                owner  netAdmin unassigned viewerAll viewerOne
const table: Row[] = [
  ['read own network', (a) => mayNetwork(a, 'read', 1), [true, true, false, true, true]],
  ['read other network', (a) => mayNetwork(a, 'read', 3), [true, false, false, true, false]],
  ['edit own network', (a) => mayNetwork(a, 'edit', 1), [true, true, false, false, false]],
  ['edit other network', (a) => mayNetwork(a, 'edit', 3), [true, false, false, false, false]],
  ['rename / re-range own network', (a) => mayNetwork(a, 'edit-identity', 1), [true, false, false, false, false]],
  ['create network', (a) => mayNetwork(a, 'create'), [true, false, false, false, false]],
  ['delete own network', (a) => mayNetwork(a, 'delete', 1), [true, false, false, false, false]],
  ['read policy of own network', (a) => mayPolicy(a, 'read', [1]), [true, true, false, true, true]],
  ['read policy shared with other', (a) => mayPolicy(a, 'read', [2, 3]), [true, true, false, true, false]],
  ['read policy of other network only', (a) => mayPolicy(a, 'read', [3]), [true, false, false, true, false]],
  ['read unused policy', (a) => mayPolicy(a, 'read', []), [true, false, false, true, false]],
  ['edit policy of own networks', (a) => mayPolicy(a, 'edit', [1, 2]), [true, true, false, false, false]],
  ['edit policy shared with other', (a) => mayPolicy(a, 'edit', [1, 3]), [true, false, false, false, false]],
  ['edit unused policy', (a) => mayPolicy(a, 'edit', []), [true, false, false, false, false]],
  ['create policy', (a) => mayPolicy(a, 'create', []), [true, false, false, false, false]],
  ['delete policy', (a) => mayPolicy(a, 'delete', [1]), [true, false, false, false, false]],
  ['read report from own network', (a) => mayReport(a, 'read', 1), [true, true, false, false, false]],
  ['decide report from own network', (a) => mayReport(a, 'decide', 2), [true, true, false, false, false]],
  ['read report from other network', (a) => mayReport(a, 'read', 3), [true, false, false, false, false]],
  ['read report from no network', (a) => mayReport(a, 'read', null), [true, false, false, false, false]],
  ['stats of own network', (a) => mayStats(a, 1), [true, true, false, true, true]],
  ['stats of other network', (a) => mayStats(a, 3), [true, false, false, true, false]],
  ['read lists', (a) => mayLists(a, 'read'), [true, true, true, true, true]],
  ['edit lists', (a) => mayLists(a, 'edit'), [true, false, false, false, false]],
  ['admins, audit, settings', (a) => mayAdministrate(a), [true, false, false, false, false]],
];

const actors = [owner, netAdmin, unassignedAdmin, viewerAll, viewerOne];
const labels = ['owner', 'network-admin', 'network-admin without networks', 'viewer of all', 'viewer of network 1'];

describe('authorisation table', () => {
  for (const [what, check, expected] of table) {
    it(what, () => {
      expect(actors.map((a, i) => `${labels[i]}: ${check(a)}`)).toEqual(actors.map((_, i) => `${labels[i]}: ${expected[i]}`));
    });
  }
});
