import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../helpers/api-server.js';

// The OpenAPI document is generated from the route schemas: every operation is in it with its
// parameters, body and responses, and the browsable reference is served.

let s: ApiServer;
beforeAll(async () => { s = await startApiServer(); });
afterAll(async () => { await s?.close(); });

interface Operation { requestBody?: unknown; responses: Record<string, unknown>; parameters?: { name: string; in: string }[] }

it('/api/openapi.json lists every API route with its schemas', async () => {
  const r = await s.app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(r.statusCode).toBe(200);
  const doc = r.json() as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
  expect(doc.openapi).toMatch(/^3\./);
  expect(doc.components.schemas.ApiError).toBeDefined();
  for (const path of ['/api/session', '/api/admins', '/api/admins/{id}', '/api/networks', '/api/networks/{id}', '/api/networks/{id}/token', '/api/policies', '/api/policies/{id}', '/api/policies/{id}/rules']) {
    expect(doc.paths[path], path).toBeDefined();
  }
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const ok = Object.keys(op.responses).filter((c) => c.startsWith('2'));
      expect(ok.length, `${method} ${path} documents its success`).toBeGreaterThan(0);
      // actions without a body: rotate a token, enable a catalog entry, reject a report
      const bodyless = /\/token$|\/catalog\/\{name\}$|\/reject$/.test(path);
      if (['post', 'put', 'patch'].includes(method) && !bodyless) expect(op.requestBody, `${method} ${path} body`).toBeDefined();
      if (path.includes('{id}')) expect(op.parameters?.some((p) => p.name === 'id' && p.in === 'path'), `${method} ${path} id`).toBe(true);
      expect(op.responses['400'] ?? op.responses['401'], `${method} ${path} errors`).toBeDefined();
    }
  }
});

it('/api/docs serves the browsable reference', async () => {
  const r = await s.app.inject({ method: 'GET', url: '/api/docs/' });
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toMatch(/text\/html/);
});
