import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { PolicyConfig } from '../config/config-schema.js';
import { policyProblems } from '../policy/policy-validation.js';
import { recordAudit } from '../store/audit-repository.js';
import { loadNetworks } from '../store/network-repository.js';
import { deletePolicyById, insertPolicy, loadPolicies, updatePolicy, type StoredPolicy } from '../store/policy-repository.js';
import { ApiError, forbidden, invalidAll, managedByConfig, notFound } from './api-error.js';
import { write, type ApiContext } from './api-context.js';
import { mayPolicy } from './authorization.js';
import { ERRORS, IdParams } from './schemas/common.js';
import {
  Policy, PolicyBody, PolicyList, PolicyUpdateBody, RulesBody, RulesResult,
  type PolicyBodyT, type PolicyT, type PolicyUpdateBodyT, type RulesBodyT,
} from './schemas/policies.js';

// Policies: categories, allow/deny rules, schedules with their calendar exceptions, safe search
// and block mode, written in the config file's shape and validated by the same checks as the
// file (policy-validation.ts). `POST /api/policies/{id}/rules` takes rules in bulk, one per
// line, and names every invalid line; the request then changes nothing.

/** A stored policy as the complete desired state the repository writes. */
export function policyConfigOf(p: StoredPolicy): PolicyConfig {
  const { id: _id, origin: _o, created_at: _c, updated_at: _u, schedules, ...rest } = p;
  return { ...rest, schedules: schedules.map(({ id: _sid, ...s }) => s) };
}

export const policiesRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const usage = () => {
    const by = new Map<number, { ids: number[]; names: string[] }>();
    for (const n of loadNetworks(db)) {
      const u = by.get(n.policy_id) ?? { ids: [], names: [] };
      u.ids.push(n.id);
      u.names.push(n.name);
      by.set(n.policy_id, u);
    }
    return (policyId: number) => by.get(policyId) ?? { ids: [], names: [] };
  };
  const view = (p: StoredPolicy, used = usage()): PolicyT => ({
    ...p,
    networks: used(p.id).names,
    managed: p.origin,
    warnings: policyProblems(policyConfigOf(p)).filter((x) => x.warning).map(({ field, message }) => ({ field, message })),
  });
  const readable = (req: FastifyRequest, id: number): StoredPolicy => {
    const p = loadPolicies(db).find((x) => x.id === id);
    if (!p || !mayPolicy(req.actor, 'read', usage()(p.id).ids)) throw notFound(`policy ${id}`);
    return p;
  };
  const editable = (req: FastifyRequest, id: number, action: 'edit' | 'delete'): StoredPolicy => {
    const p = readable(req, id);
    if (!mayPolicy(req.actor, action, usage()(p.id).ids)) {
      throw forbidden(action === 'delete' ? 'only an owner deletes policies' : 'this policy is also used by networks you do not manage');
    }
    if (p.origin === 'config') throw managedByConfig(`policy "${p.name}"`);
    return p;
  };
  const check = (p: PolicyConfig, selfId: number | null) => {
    const problems = policyProblems(p).filter((x) => !x.warning).map(({ field, message }) => ({ field, message }));
    if (problems.length) throw invalidAll(problems);
    if (loadPolicies(db).some((x) => x.name === p.name && x.id !== selfId)) throw new ApiError(409, 'conflict', `a policy named "${p.name}" exists`, 'name');
  };
  const stored = (id: number) => loadPolicies(db).find((x) => x.id === id)!;
  const audit = (req: FastifyRequest, action: string, p: { id: number; name: string }, before?: PolicyT, after?: PolicyT) =>
    recordAudit(db, { adminId: req.actor.id, username: req.actor.username, action, targetType: 'policy', targetId: p.id, targetName: p.name, before, after });
  /** Writes the complete desired state of an existing policy, audited; returns the new view. */
  const replace = (req: FastifyRequest, current: StoredPolicy, desired: PolicyConfig, action: string): PolicyT =>
    write(ctx, () => {
      const before = view(current);
      updatePolicy(db, current.id, desired);
      const after = view(stored(current.id));
      audit(req, action, current, before, after);
      return after;
    }, { config: true });

  app.get('/api/policies', { schema: { tags: ['policies'], summary: 'Policies you may see', response: { 200: PolicyList, ...ERRORS } } }, async (req) => {
    const used = usage();
    return loadPolicies(db).filter((p) => mayPolicy(req.actor, 'read', used(p.id).ids)).map((p) => view(p, used));
  });

  app.get<{ Params: { id: number } }>('/api/policies/:id', { schema: { tags: ['policies'], params: IdParams, response: { 200: Policy, ...ERRORS } } }, async (req) =>
    view(readable(req, req.params.id)));

  app.post<{ Body: PolicyBodyT }>('/api/policies', {
    schema: { tags: ['policies'], summary: 'Create a policy (owners)', body: PolicyBody, response: { 201: Policy, ...ERRORS } },
  }, async (req, reply) => {
    if (!mayPolicy(req.actor, 'create', [])) throw forbidden('only an owner creates policies');
    check(req.body, null);
    const created = write(ctx, () => {
      const id = insertPolicy(db, req.body, 'api');
      const after = view(stored(id));
      audit(req, 'policy.create', after, undefined, after);
      return after;
    }, { config: true });
    return reply.code(201).send(created);
  });

  app.patch<{ Params: { id: number }; Body: PolicyUpdateBodyT }>('/api/policies/:id', {
    schema: { tags: ['policies'], summary: 'Change a policy: the fields given replace the stored ones', params: IdParams, body: PolicyUpdateBody, response: { 200: Policy, ...ERRORS } },
  }, async (req) => {
    const current = editable(req, req.params.id, 'edit');
    const desired = { ...policyConfigOf(current), ...req.body } as PolicyConfig;
    check(desired, current.id);
    return replace(req, current, desired, 'policy.update');
  });

  app.post<{ Params: { id: number }; Body: RulesBodyT }>('/api/policies/:id/rules', {
    schema: {
      tags: ['policies'], summary: 'Add (or replace) allow or deny rules in bulk, one per line; every invalid line is named',
      params: IdParams, body: RulesBody, response: { 200: RulesResult, ...ERRORS },
    },
  }, async (req) => {
    const current = editable(req, req.params.id, 'edit');
    const { action, replace: replaceAll = false, dry_run: dryRun = false } = req.body;
    const lines = req.body.rules.split(/\r?\n/).map((text, i) => ({ line: i + 1, text: text.trim() })).filter((l) => l.text && !l.text.startsWith('#'));
    const problems = policyProblems({ name: current.name, [action]: lines.map((l) => l.text) }).filter((x) => !x.warning && x.field.startsWith(`${action}[`));
    const invalid = problems.map((x) => {
      const l = lines[Number(/\[(\d+)\]/.exec(x.field)![1])];
      return { line: l.line, text: l.text, reason: x.message };
    });
    const existing = replaceAll ? [] : current[action];
    const fresh = [...new Set(lines.map((l) => l.text))].filter((r) => !existing.includes(r));
    const duplicates = lines.length - fresh.length;
    if (invalid.length) {
      throw invalidAll(invalid.map((x) => ({ field: `rules[${x.line - 1}]`, message: `line ${x.line}: ${x.reason}` })));
    }
    if (dryRun) return { added: fresh.length, duplicates, invalid, policy: view(current) };
    const desired: PolicyConfig = { ...policyConfigOf(current), [action]: [...existing, ...fresh] };
    check(desired, current.id);
    const policy = replace(req, current, desired, `policy.rules.${replaceAll ? 'replace' : 'add'}`);
    return { added: fresh.length, duplicates, invalid, policy };
  });

  app.delete<{ Params: { id: number } }>('/api/policies/:id', {
    schema: { tags: ['policies'], summary: 'Delete a policy no network uses (owners)', params: IdParams, response: { 204: Type.Null(), ...ERRORS } },
  }, async (req, reply) => {
    const current = editable(req, req.params.id, 'delete');
    const users = usage()(current.id).names;
    if (users.length) throw new ApiError(409, 'in-use', `policy "${current.name}" is used by ${users.map((n) => `"${n}"`).join(', ')}; move those networks first`);
    write(ctx, () => {
      const before = view(current);
      deletePolicyById(db, current.id);
      audit(req, 'policy.delete', current, before);
    }, { config: true });
    return reply.code(204).send();
  });
};
