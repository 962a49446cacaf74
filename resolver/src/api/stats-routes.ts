import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { reportCsv } from '../stats/report-csv.js';
import { buildReport } from '../stats/report-data.js';
import { reportHtml } from '../stats/report-html.js';
import { blockedView, counterView, networkNames } from '../stats/stats-query.js';
import { ApiError, invalid } from './api-error.js';
import type { ApiContext } from './api-context.js';
import { mayStats } from './authorization.js';
import { ERRORS } from './schemas/common.js';
import { ExportQuery, StatsBody, StatsQuery, type ExportQueryT, type StatsBodyT, type StatsQueryT } from './schemas/stats.js';

// The privacy-preserving read side: aggregate counters by hour or day, category and network,
// small cells shown as "<k" (stats/suppression.ts), limited to the networks the admin may see;
// and the periodic report for the authorities, the same as `npm run report`.

export const statsRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const suppressBelow = ctx.config.stats.suppress_below;

  /** The networks asked for, each one the admin may see (404 otherwise); absent: all they may see. */
  const scope = (req: FastifyRequest, asked: readonly number[] | undefined): number[] | undefined => {
    const names = networkNames(db);
    if (asked) {
      asked.forEach((id, i) => { if (!mayStats(req.actor, id) || !names.has(id)) throw new ApiError(404, "not-found", `network ${id} does not exist`, `network[${i}]`); });
      return [...asked];
    }
    if (req.actor.role === 'owner') return undefined;
    return [...names.keys()].filter((id) => id !== 0 && mayStats(req.actor, id));
  };

  app.get<{ Querystring: StatsQueryT }>('/api/stats', {
    schema: { tags: ['stats'], summary: 'Counters over time, small cells suppressed', querystring: StatsQuery, response: { 200: StatsBody, ...ERRORS } },
  }, async (req): Promise<StatsBodyT> => {
    const fromMs = Date.parse(req.query.from);
    const toMs = Date.parse(req.query.to);
    if (!(toMs > fromMs)) throw invalid('to', 'must be after "from"');
    const networkIds = scope(req, req.query.network);
    const sel = { fromMs, toMs, granularity: req.query.granularity ?? 'hour', networkIds, suppressBelow, byNetwork: req.query.by_network ?? false };
    let blocked;
    let services;
    let counters;
    try {
      blocked = blockedView(db, sel);
      services = blockedView(db, { ...sel, services: true });
      counters = counterView(db, sel);
    } catch (e) {
      throw invalid('from', (e as Error).message.replace(/^stats: /, ''));
    }
    const names = networkNames(db);
    const shown = networkIds ?? [...names.keys()];
    return {
      buckets: blocked.buckets,
      blocked: { rows: blocked.rows, bucketTotals: blocked.bucketTotals, total: blocked.total },
      services: { rows: services.rows, bucketTotals: services.bucketTotals, total: services.total },
      counters: counters.rows,
      networks: shown.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id)! })),
      suppress_below: suppressBelow,
    };
  });

  app.get<{ Querystring: ExportQueryT }>('/api/reports/export', {
    schema: {
      tags: ['stats'], summary: 'The periodic report for the authorities (CSV or printable HTML, Vietnamese or English)', querystring: ExportQuery,
      response: { 200: Type.String({ description: 'text/csv or text/html' }), ...ERRORS },
    },
  }, async (req, reply) => {
    const networkIds = scope(req, req.query.network);
    let data;
    try {
      data = buildReport(db, { from: req.query.from, to: req.query.to, networkIds, suppressBelow, hourlyRetentionDays: ctx.config.stats.hourly_retention_days });
    } catch (e) {
      throw invalid('to', (e as Error).message.replace(/^(report|stats): /, ''));
    }
    const format = req.query.format ?? 'html';
    const name = `nestguard-report-${req.query.from}-${req.query.to}.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(reportCsv(data, req.query.lang ?? 'vi'));
    return reply.type('text/html; charset=utf-8').send(reportHtml(data, req.query.lang ?? 'vi'));
  });
};
