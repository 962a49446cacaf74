import type { FastifyPluginAsync } from 'fastify';
import { queryAudit } from '../store/audit-repository.js';
import { forbidden } from './api-error.js';
import type { ApiContext } from './api-context.js';
import { mayAdministrate } from './authorization.js';
import { AuditPage, AuditQuery, type AuditQueryT } from './schemas/audit.js';
import { ERRORS } from './schemas/common.js';

// The audit log, for owners: every admin change with who, when, what, before and after.

export const auditRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get<{ Querystring: AuditQueryT }>('/api/audit', {
    schema: { tags: ['audit'], summary: 'Admin changes, newest first (owners)', querystring: AuditQuery, response: { 200: AuditPage, ...ERRORS } },
  }, async (req) => {
    if (!mayAdministrate(req.actor)) throw forbidden('only an owner reads the audit log');
    const q = req.query;
    return queryAudit(ctx.db, {
      username: q.username, action: q.action, targetType: q.target_type, targetId: q.target_id,
      from: q.from && new Date(q.from).toISOString(), to: q.to && new Date(q.to).toISOString(),
      limit: q.limit ?? 50, offset: q.offset ?? 0,
    });
  });
};
