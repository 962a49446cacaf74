import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config, NetworkConfig } from '../config/config-schema.js';
import { parseCidr } from '../policy/cidr.js';
import { networkProblems } from '../policy/policy-validation.js';
import { recordAudit } from '../store/audit-repository.js';
import {
  deleteNetworkById, insertNetwork, loadNetworks, networkOwningCidr, updateNetwork, type StoredNetwork,
} from '../store/network-repository.js';
import { policyIdByName } from '../store/policy-repository.js';
import { ApiError, forbidden, invalidAll, managedByConfig, notFound } from './api-error.js';
import { write, type ApiContext } from './api-context.js';
import { mayNetwork, mayPolicy, type Actor } from './authorization.js';
import { networkEndpoints } from './network-profiles-routes.js';
import { newNetworkToken } from './network-token.js';
import { ERRORS, IdParams, type ProblemT } from './schemas/common.js';
import { Network, NetworkCreateBody, NetworkList, NetworkUpdateBody, type NetworkCreateBodyT, type NetworkT, type NetworkUpdateBodyT } from './schemas/networks.js';

// Networks: address ranges, time zone, kind, contact, policy and the DoH token. Ranges are
// stored canonical, so "10.1.0.0/16" and "10.1.0.1/16" are the same range and a range held
// by another network is a conflict named by its field. A network created here gets a random
// token; `POST /api/networks/{id}/token` replaces it (the old URL stops working at once).

export function networkView(n: StoredNetwork, actor: Actor, dohUrl: (token: string) => string, config: Config): NetworkT {
  // the token lets any device use the network's policy and counters: its admins see it, viewers do not
  const token = mayNetwork(actor, 'edit', n.id) ? n.doh_token : null;
  return {
    id: n.id, name: n.name, kind: n.kind, cidrs: n.cidrs, timezone: n.timezone, contact: n.contact,
    policy: n.policy, policy_id: n.policy_id, token, doh_url: token ? dohUrl(token) : null,
    dot_hostname: token ? networkEndpoints(config, token).dot_hostname : null,
    managed: n.origin, created_at: n.created_at, updated_at: n.updated_at,
  };
}

export const networksRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const view = (n: StoredNetwork, req: FastifyRequest) => networkView(n, req.actor, ctx.dohUrl, ctx.config);
  const readable = (req: FastifyRequest, id: number): StoredNetwork => {
    const n = loadNetworks(db).find((x) => x.id === id);
    if (!n || !mayNetwork(req.actor, 'read', n.id)) throw notFound(`network ${id}`);
    return n;
  };
  const editable = (req: FastifyRequest, n: StoredNetwork, action: 'edit' | 'edit-identity' | 'delete'): StoredNetwork => {
    if (!mayNetwork(req.actor, action, n.id)) {
      throw forbidden(action === 'edit-identity' ? 'only an owner changes a network\'s name or address ranges' : 'your role does not allow changing this network');
    }
    if (n.origin === 'config') throw managedByConfig(`network "${n.name}"`);
    return n;
  };

  /** Validates the desired state; returns it with canonical ranges and the policy id. */
  const check = (n: NetworkConfig, selfId: number | null): { config: NetworkConfig; policyId: number } => {
    const policyId = policyIdByName(db, n.policy);
    const problems: ProblemT[] = networkProblems(n, new Set(policyId === undefined ? [] : [n.policy]));
    const others = loadNetworks(db).filter((x) => x.id !== selfId);
    if (others.some((x) => x.name === n.name)) throw new ApiError(409, 'conflict', `a network named "${n.name}" exists`, 'name');
    const cidrs: string[] = [];
    const conflicts: ProblemT[] = [];
    (n.cidrs ?? []).forEach((c, i) => {
      const parsed = parseCidr(c);
      if (!parsed) return;
      const owner = networkOwningCidr(db, parsed.text);
      if (owner !== undefined && others.some((x) => x.name === owner)) conflicts.push({ field: `cidrs[${i}]`, message: `${parsed.text} already belongs to network "${owner}"` });
      if (!cidrs.includes(parsed.text)) cidrs.push(parsed.text);
    });
    if (problems.length) throw invalidAll(problems);
    if (conflicts.length) throw new ApiError(409, 'conflict', conflicts[0].message, conflicts[0].field, conflicts);
    return { config: { ...n, cidrs }, policyId: policyId! };
  };
  // the audit says that a token changed, never what it is
  const secretless = (v: NetworkT | undefined) => v && { ...v, token: v.token === null ? null : '(set)', doh_url: null, dot_hostname: null };
  const audit = (req: FastifyRequest, action: string, n: { id: number; name: string }, before?: NetworkT, after?: NetworkT) =>
    recordAudit(db, { adminId: req.actor.id, username: req.actor.username, action, targetType: 'network', targetId: n.id, targetName: n.name, before: secretless(before), after: secretless(after) });
  const stored = (id: number) => loadNetworks(db).find((x) => x.id === id)!;

  app.get('/api/networks', { schema: { tags: ['networks'], summary: 'Networks you may see', response: { 200: NetworkList, ...ERRORS } } }, async (req) =>
    loadNetworks(db).filter((n) => mayNetwork(req.actor, 'read', n.id)).map((n) => view(n, req)));

  app.get<{ Params: { id: number } }>('/api/networks/:id', { schema: { tags: ['networks'], params: IdParams, response: { 200: Network, ...ERRORS } } }, async (req) =>
    view(readable(req, req.params.id), req));

  app.post<{ Body: NetworkCreateBodyT }>('/api/networks', {
    schema: { tags: ['networks'], summary: 'Create a network (owners); it gets a random DoH token', body: NetworkCreateBody, response: { 201: Network, ...ERRORS } },
  }, async (req, reply) => {
    if (!mayNetwork(req.actor, 'create')) throw forbidden('only an owner creates networks');
    const { config, policyId } = check({ ...req.body, doh_token: newNetworkToken() }, null);
    const created = write(ctx, () => {
      const id = insertNetwork(db, config, policyId, 'api');
      const after = view(stored(id), req);
      audit(req, 'network.create', after, undefined, after);
      return after;
    }, { config: true });
    return reply.code(201).send(created);
  });

  app.patch<{ Params: { id: number }; Body: NetworkUpdateBodyT }>('/api/networks/:id', {
    schema: { tags: ['networks'], summary: 'Change a network (name and ranges: owners)', params: IdParams, body: NetworkUpdateBody, response: { 200: Network, ...ERRORS } },
  }, async (req) => {
    const b = req.body;
    const found = readable(req, req.params.id);
    const canonical = (list: readonly string[]) => JSON.stringify(list.map((c) => parseCidr(c)?.text ?? c).sort());
    const identity = (b.name !== undefined && b.name !== found.name) || (b.cidrs !== undefined && canonical(b.cidrs) !== canonical(found.cidrs));
    const current = editable(req, found, identity ? 'edit-identity' : 'edit');
    if (b.policy !== undefined && b.policy !== current.policy) {
      const target = policyIdByName(db, b.policy);
      const usedBy = loadNetworks(db).filter((x) => x.policy_id === target).map((x) => x.id);
      if (target !== undefined && !mayPolicy(req.actor, 'edit', [...usedBy, current.id])) throw forbidden(`policy "${b.policy}" is used by networks you do not manage`);
    }
    const desired: NetworkConfig = {
      name: b.name ?? current.name, kind: b.kind ?? current.kind, cidrs: b.cidrs ?? current.cidrs,
      timezone: b.timezone ?? current.timezone, contact: b.contact ?? current.contact, policy: b.policy ?? current.policy,
      doh_token: current.doh_token ?? undefined,
    };
    const { config, policyId } = check(desired, current.id);
    return write(ctx, () => {
      const before = view(current, req);
      updateNetwork(db, current.id, config, policyId);
      const after = view(stored(current.id), req);
      audit(req, 'network.update', current, before, after);
      return after;
    }, { config: true });
  });

  app.post<{ Params: { id: number } }>('/api/networks/:id/token', {
    schema: { tags: ['networks'], summary: 'Replace the network\'s DoH token (the old one stops working at once)', params: IdParams, response: { 200: Network, ...ERRORS } },
  }, async (req) => {
    const current = editable(req, readable(req, req.params.id), 'edit');
    return write(ctx, () => {
      const before = view(current, req);
      updateNetwork(db, current.id, { ...current, doh_token: newNetworkToken() }, current.policy_id);
      const after = view(stored(current.id), req);
      audit(req, 'network.token.rotate', current, before, after);
      return after;
    }, { config: true });
  });

  app.delete<{ Params: { id: number } }>('/api/networks/:id', {
    schema: { tags: ['networks'], summary: 'Delete a network (owners); its statistics stay', params: IdParams, response: { 204: Type.Null(), ...ERRORS } },
  }, async (req, reply) => {
    const current = editable(req, readable(req, req.params.id), 'delete');
    write(ctx, () => {
      const before = view(current, req);
      deleteNetworkById(db, current.id);
      audit(req, 'network.delete', current, before);
    }, { config: true });
    return reply.code(204).send();
  });
};
