import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { REPO_ROOT, startNestguard, type Nestguard } from '../helpers/nestguard.js';

// The built console is served by the resolver's own HTTP listener: pages for client routes,
// a year of cache for hashed assets, and API paths untouched by the page fallback.

let upstream: AuthUpstream;
let ng: Nestguard;
let base: string;

beforeAll(async () => {
  upstream = await startAuthUpstream();
  ng = await startNestguard({ upstreamPort: upstream.port, waitForHttp: true });
  base = `http://127.0.0.1:${ng.httpPort}`;
});

afterAll(async () => {
  await ng?.stop();
  await upstream?.stop();
});

describe('console static files', () => {
  it('serves index.html at / and for client routes, revalidated every time', async () => {
    for (const path of ['/', '/networks/3', '/report', '/policies?x=1']) {
      const r = await fetch(base + path, { headers: { accept: 'text/html' } });
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toMatch(/text\/html/);
      expect(r.headers.get('cache-control'), path).toBe('no-cache');
      expect(await r.text(), path).toContain('<div id="root">');
    }
  });

  it('hashed assets are cached for a year; a missing one is a 404', async () => {
    const asset = readdirSync(join(REPO_ROOT, 'dist/console/assets')).find((f) => f.endsWith('.js'))!;
    const r = await fetch(`${base}/assets/${asset}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${base}/assets/nope-123.js`, { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
  });

  it('API and resolver paths are never answered with the page', async () => {
    const api = await fetch(`${base}/api/no-such-thing`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/json/);
    const health = await fetch(`${base}/health`, { headers: { accept: 'text/html' } });
    expect(health.headers.get('content-type')).toMatch(/json/);
    const post = await fetch(`${base}/networks`, { method: 'POST', headers: { accept: 'text/html' } });
    expect(post.status).toBe(404);
  });
});
