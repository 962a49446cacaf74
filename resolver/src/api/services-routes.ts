import type { FastifyPluginAsync } from 'fastify';
import { serviceCatalog } from '../lists/service-catalog.js';
import { FILTERING_LIMITS } from '../policy/filtering-limits.js';
import type { ApiContext } from './api-context.js';
import { ERRORS } from './schemas/common.js';
import { ServiceCatalogBody, type ServiceCatalogBodyT } from './schemas/services.js';

// The services catalog (blocklists/services/) for the policy editor's app toggles. It is the
// same for everyone and holds nothing about any network, so every signed-in admin reads it;
// switching services on and off is a policy edit (policies-routes.ts, field `services`).

export const servicesRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app) => {
  app.get('/api/services', {
    schema: { tags: ['services'], summary: 'The services catalog: groups, apps, names in en and vi, and filtering limits', response: { 200: ServiceCatalogBody, ...ERRORS } },
  }, async (): Promise<ServiceCatalogBodyT> => {
    const c = serviceCatalog();
    return {
      groups: c.groups.map((g) => ({ id: g.id, name: g.name })),
      services: c.services.map((s) => ({ id: s.id, name: s.name, group: s.group, rules: s.rules, source: s.source, ...(s.note ? { note: s.note } : {}) })),
      limits: FILTERING_LIMITS,
    };
  });
};
