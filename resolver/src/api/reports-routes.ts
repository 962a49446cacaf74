import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { normalizeName } from '../lists/domain-name.js';
import { recordAudit } from '../store/audit-repository.js';
import { loadNetworks } from '../store/network-repository.js';
import { appendPolicyRule, loadPolicies } from '../store/policy-repository.js';
import { getReport, insertReport, queryReports, resolveReport, type StoredReport } from '../store/report-repository.js';
import { ApiError, forbidden, invalid, managedByConfig, notFound } from './api-error.js';
import { write, type ApiContext } from './api-context.js';
import { mayPolicy, mayReport, readableNetworks } from './authorization.js';
import { ERRORS, IdParams } from './schemas/common.js';
import {
  AcceptBody, AcceptResult, Report, ReportPage, ReportQuery, ReportReceived, ReportSubmitBody,
  type AcceptBodyT, type ReportQueryT, type ReportSubmitBodyT, type ReportT,
} from './schemas/reports.js';

// The one public channel for reports of harmful sites (and of wrongly blocked ones), and the
// admins' queue. The public route needs no login, is limited per source in memory and stores
// no address and no user agent: the source address is used once, in memory, to find which
// network the report came from, which is what scopes the queue for network admins.
// Accepting turns the report into a deny (harmful) or allow (wrongly-blocked) rule of a policy
// in one step; the resolver serves it before the answer returns.

const REPORT_BODY_LIMIT = 4096;

/** The public route: registered on every listener, the public HTTPS one included. */
export const publicReportRoute: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.post<{ Body: ReportSubmitBodyT }>('/api/reports', {
    bodyLimit: REPORT_BODY_LIMIT,
    config: { public: true },
    schema: { tags: ['reports'], summary: 'Report a harmful or wrongly blocked site (public, no login)', body: ReportSubmitBody, response: { 202: ReportReceived, ...ERRORS, 413: Type.Ref('ApiError') } },
  }, async (req, reply) => {
    const norm = normalizeName(req.body.domain.trim().replace(/^https?:\/\//i, '').split(/[/?#:]/)[0]);
    if ('error' in norm || !norm.name.includes('.')) throw invalid('domain', `not a domain name: ${'error' in norm ? norm.error : 'no dot'}`);
    if (!ctx.reportLimiter.hit(req.ip)) {
      reply.header('retry-after', String(ctx.reportLimiter.retryAfterS(req.ip)));
      throw new ApiError(429, 'rate-limited', 'many reports from here already; thank you, please try again later');
    }
    const networkId = ctx.policy.networkForAddress(req.ip)?.id ?? null;
    insertReport(ctx.db, { domain: norm.name, kind: req.body.kind, message: (req.body.message ?? '').trim(), networkId });
    return reply.code(202).send({ status: 'received', message: 'thank you: an administrator will look at it' });
  });
};

export const reportsRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const view = (r: StoredReport): ReportT => r;
  const visible = (req: FastifyRequest, id: number): StoredReport => {
    const r = getReport(db, id);
    if (!r || !mayReport(req.actor, 'read', r.network_id)) throw notFound(`report ${id}`);
    return r;
  };
  const open = (req: FastifyRequest, id: number): StoredReport => {
    const r = visible(req, id);
    if (!mayReport(req.actor, 'decide', r.network_id)) throw forbidden();
    if (r.status !== 'open') throw new ApiError(409, 'conflict', `report ${id} was already ${r.status}`);
    return r;
  };

  app.get<{ Querystring: ReportQueryT }>('/api/reports', {
    schema: { tags: ['reports'], summary: 'The reports queue you may see, newest first', querystring: ReportQuery, response: { 200: ReportPage, ...ERRORS } },
  }, async (req) => {
    if (req.actor.role === 'viewer') throw forbidden('viewers do not see reports');
    const scope = readableNetworks(req.actor);
    const { total, reports } = queryReports(db, { status: req.query.status, networks: scope, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
    return { total, reports: reports.map(view) };
  });

  app.get<{ Params: { id: number } }>('/api/reports/:id', { schema: { tags: ['reports'], params: IdParams, response: { 200: Report, ...ERRORS } } }, async (req) =>
    view(visible(req, req.params.id)));

  app.post<{ Params: { id: number }; Body: AcceptBodyT }>('/api/reports/:id/accept', {
    schema: {
      tags: ['reports'], summary: 'Accept: add a deny (harmful) or allow (wrongly-blocked) rule for the domain to a policy',
      params: IdParams, body: AcceptBody, response: { 200: AcceptResult, ...ERRORS },
    },
  }, async (req) => {
    const r = open(req, req.params.id);
    const policy = loadPolicies(db).find((p) => p.id === req.body.policy);
    const usedBy = loadNetworks(db).filter((n) => n.policy_id === req.body.policy).map((n) => n.id);
    if (!policy || !mayPolicy(req.actor, 'read', usedBy)) throw invalid('policy', `no policy ${req.body.policy}`);
    if (!mayPolicy(req.actor, 'edit', usedBy)) throw forbidden('that policy is also used by networks you do not manage');
    if (policy.origin === 'config') throw managedByConfig(`policy "${policy.name}"`);
    const action = r.kind === 'harmful' ? 'deny' : 'allow';
    return write(ctx, () => {
      const added = appendPolicyRule(db, policy.id, action, r.domain);
      resolveReport(db, r.id, { status: 'accepted', by: req.actor.username, policyId: policy.id });
      const after = getReport(db, r.id)!;
      recordAudit(db, {
        adminId: req.actor.id, username: req.actor.username, action: 'report.accept', targetType: 'report', targetId: r.id, targetName: r.domain,
        before: view(r), after: { report: view(after), policy: policy.name, rule: { action, text: r.domain, added } },
      });
      return { report: view(after), rule: { action, text: r.domain, added } };
    }, { config: true });
  });

  app.post<{ Params: { id: number } }>('/api/reports/:id/reject', {
    schema: { tags: ['reports'], summary: 'Reject a report', params: IdParams, response: { 200: Report, ...ERRORS } },
  }, async (req) => {
    const r = open(req, req.params.id);
    return write(ctx, () => {
      resolveReport(db, r.id, { status: 'rejected', by: req.actor.username, policyId: null });
      const after = getReport(db, r.id)!;
      recordAudit(db, { adminId: req.actor.id, username: req.actor.username, action: 'report.reject', targetType: 'report', targetId: r.id, targetName: r.domain, before: view(r), after: view(after) });
      return view(after);
    }, { config: false });
  });
};
