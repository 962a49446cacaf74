import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

// The OpenAPI 3 document is generated from the routes' own schemas: `/api/openapi.json` for
// tools (and the console's generated types), `/api/docs` to browse. Register before the routes.

export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Nestguard admin API',
        version,
        description: 'Log in with POST /api/session; send the returned csrfToken as x-csrf-token on every POST, PUT, PATCH and DELETE. Errors: { error, message, field }.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'nestguard_session' } } },
      security: [{ session: [] }],
    },
    // DoH (RFC 8484) and the operations endpoints have their own standards; the document is the admin API's
    transform: ({ schema, url }) => ({ schema: url.startsWith('/api/') ? schema : { ...schema, hide: true }, url }),
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
