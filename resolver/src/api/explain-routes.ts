import type { FastifyPluginAsync } from 'fastify';
import { normalizeName } from '../lists/domain-name.js';
import { loadNetworks } from '../store/network-repository.js';
import { invalid } from './api-error.js';
import type { ApiContext } from './api-context.js';
import { mayNetwork } from './authorization.js';
import { ERRORS } from './schemas/common.js';
import { ExplainBody, ExplainQuery, type ExplainBodyT, type ExplainQueryT } from './schemas/stats.js';

// The domain tester: is this name blocked for this network now, and why: the engine's own
// decision (policy, category, rule, schedule, safe search) plus every matching line of the
// live lists with its source and line number, read back off the hot path.

export const explainRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get<{ Querystring: ExplainQueryT }>('/api/explain', {
    schema: { tags: ['explain'], summary: 'Is this name blocked for this network now, and why', querystring: ExplainQuery, response: { 200: ExplainBody, ...ERRORS } },
  }, async (req): Promise<ExplainBodyT> => {
    const net = loadNetworks(ctx.db).find((n) => n.id === req.query.network);
    if (!net || !mayNetwork(req.actor, 'read', net.id)) throw invalid('network', `no network ${req.query.network}`);
    const norm = normalizeName(req.query.name.trim());
    if ('error' in norm) throw invalid('name', `not a domain name: ${norm.error}`);
    const reason = ctx.policy.explain(net.name, norm.name, 1);
    const matches = await ctx.lists.explain(norm.name);
    return { ...reason, matches };
  });
};
