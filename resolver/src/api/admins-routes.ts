import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { adminIdByName, deleteAdmin, getAdmin, insertAdmin, listAdmins, ownerCount, setPasswordHash, updateAdmin, type StoredAdmin } from '../store/admin-repository.js';
import { recordAudit } from '../store/audit-repository.js';
import { networkIdsForNames } from '../store/network-repository.js';
import { deleteSessionsOf, sessionsOf } from '../store/session-repository.js';
import { ApiError, forbidden, invalidAll, notFound } from './api-error.js';
import { write, type ApiContext } from './api-context.js';
import { mayAdministrate } from './authorization.js';
import { networkNameMap } from './network-names.js';
import { hashPassword } from './password-hash.js';
import { Admin, AdminCreateBody, AdminList, AdminUpdateBody, type AdminCreateBodyT, type AdminT, type AdminUpdateBodyT } from './schemas/admins.js';
import { ERRORS, IdParams } from './schemas/common.js';
import { SessionInfo } from './schemas/session.js';
import { sessionView } from './sessions.js';

// Admin accounts (owners only). Owners are never assigned networks; the last owner cannot be
// removed or demoted, so the installation always has someone who can fix it.

export const adminsRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.addHook('preHandler', async (req) => {
    if (!mayAdministrate(req.actor)) throw forbidden('only an owner manages admin accounts');
  });

  const view = (a: StoredAdmin, names = networkNameMap(ctx.db)): AdminT => ({
    id: a.id, username: a.username, role: a.role, networks: a.networkIds.map((id) => names.get(id) ?? String(id)),
    sessions: sessionsOf(ctx.db, a.id).length, created_at: a.created_at, updated_at: a.updated_at,
  });
  const load = (id: number) => {
    const a = getAdmin(ctx.db, id);
    if (!a) throw notFound(`admin ${id}`);
    return a;
  };
  const resolveNetworks = (role: string, names: readonly string[] | undefined): number[] => {
    if (role === 'owner' || !names) return [];
    const ids = networkIdsForNames(ctx.db, names);
    const problems = names.flatMap((n, i) => (ids.has(n) ? [] : [{ field: `networks[${i}]`, message: `unknown network "${n}"` }]));
    if (problems.length) throw invalidAll(problems);
    return names.map((n) => ids.get(n)!);
  };

  app.get('/api/admins', { schema: { tags: ['admins'], summary: 'Every admin account', response: { 200: AdminList, ...ERRORS } } }, async () => {
    const names = networkNameMap(ctx.db);
    return listAdmins(ctx.db).map((a) => view(a, names));
  });

  app.get<{ Params: { id: number } }>('/api/admins/:id', { schema: { tags: ['admins'], params: IdParams, response: { 200: Admin, ...ERRORS } } }, async (req) => view(load(req.params.id)));

  app.post<{ Body: AdminCreateBodyT }>('/api/admins', {
    schema: { tags: ['admins'], summary: 'Create an admin', body: AdminCreateBody, response: { 201: Admin, ...ERRORS } },
  }, async (req, reply) => {
    const b = req.body;
    if (adminIdByName(ctx.db, b.username) !== undefined) throw new ApiError(409, 'conflict', `an admin named "${b.username}" exists`, 'username');
    const networkIds = resolveNetworks(b.role, b.networks);
    const passwordHash = await hashPassword(b.password);
    const created = write(ctx, () => {
      const id = insertAdmin(ctx.db, { username: b.username, role: b.role, passwordHash, networkIds });
      const after = view(getAdmin(ctx.db, id)!);
      recordAudit(ctx.db, { adminId: req.actor.id, username: req.actor.username, action: 'admin.create', targetType: 'admin', targetId: id, targetName: b.username, after });
      return after;
    }, { config: false });
    return reply.code(201).send(created);
  });

  app.patch<{ Params: { id: number }; Body: AdminUpdateBodyT }>('/api/admins/:id', {
    schema: { tags: ['admins'], summary: 'Change role, networks or password (a new password ends their sessions)', params: IdParams, body: AdminUpdateBody, response: { 200: Admin, ...ERRORS } },
  }, async (req) => {
    const current = load(req.params.id);
    const b = req.body;
    const role = b.role ?? current.role;
    if (current.role === 'owner' && role !== 'owner' && ownerCount(ctx.db) <= 1) throw new ApiError(409, 'conflict', 'the last owner cannot be demoted', 'role');
    const networkIds = b.networks !== undefined ? resolveNetworks(role, b.networks) : role === 'owner' ? [] : current.networkIds;
    const passwordHash = b.password !== undefined ? await hashPassword(b.password) : undefined;
    return write(ctx, () => {
      const before = view(current);
      updateAdmin(ctx.db, current.id, { role, networkIds });
      if (passwordHash !== undefined) {
        setPasswordHash(ctx.db, current.id, passwordHash);
        deleteSessionsOf(ctx.db, current.id, current.id === req.actor.id ? req.sessionId! : undefined);
      }
      const after = view(getAdmin(ctx.db, current.id)!);
      recordAudit(ctx.db, {
        adminId: req.actor.id, username: req.actor.username, action: passwordHash ? 'admin.update+password' : 'admin.update',
        targetType: 'admin', targetId: current.id, targetName: current.username, before, after,
      });
      return after;
    }, { config: false });
  });

  app.delete<{ Params: { id: number } }>('/api/admins/:id', {
    schema: { tags: ['admins'], params: IdParams, response: { 204: Type.Null(), ...ERRORS } },
  }, async (req, reply) => {
    const current = load(req.params.id);
    if (current.id === req.actor.id) throw new ApiError(409, 'conflict', 'you cannot delete your own account');
    if (current.role === 'owner' && ownerCount(ctx.db) <= 1) throw new ApiError(409, 'conflict', 'the last owner cannot be deleted');
    write(ctx, () => {
      const before = view(current);
      deleteAdmin(ctx.db, current.id);
      recordAudit(ctx.db, { adminId: req.actor.id, username: req.actor.username, action: 'admin.delete', targetType: 'admin', targetId: current.id, targetName: current.username, before });
    }, { config: false });
    return reply.code(204).send();
  });

  app.get<{ Params: { id: number } }>('/api/admins/:id/sessions', {
    schema: { tags: ['admins'], summary: 'An admin\'s open sessions', params: IdParams, response: { 200: Type.Array(SessionInfo), ...ERRORS } },
  }, async (req) => {
    const a = load(req.params.id);
    return sessionsOf(ctx.db, a.id).map((s) => sessionView(s, req.sessionId));
  });

  app.delete<{ Params: { id: number } }>('/api/admins/:id/sessions', {
    schema: { tags: ['admins'], summary: 'End every session of an admin (yours: all but this one)', params: IdParams, response: { 204: Type.Null(), ...ERRORS } },
  }, async (req, reply) => {
    const a = load(req.params.id);
    write(ctx, () => {
      const ended = deleteSessionsOf(ctx.db, a.id, a.id === req.actor.id ? req.sessionId! : undefined);
      recordAudit(ctx.db, { adminId: req.actor.id, username: req.actor.username, action: 'admin.sessions.revoke', targetType: 'admin', targetId: a.id, targetName: a.username, after: { ended } });
    }, { config: false });
    return reply.code(204).send();
  });
};
