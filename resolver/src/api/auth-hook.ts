import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from './authorization.js';
import { ApiError } from './api-error.js';
import { csrfMatches, SESSION_COOKIE, type Sessions } from './sessions.js';

// Every admin route needs a live session, and every state-changing one (POST, PUT, PATCH,
// DELETE) its CSRF token in `x-csrf-token`: a cookie alone proves only that a browser sent
// the request, not that our console did. Routes with `config: { public: true }` (login, the
// public report) skip both.

declare module 'fastify' {
  interface FastifyRequest {
    /** the logged-in admin; set on every non-public admin route */
    actor: Actor;
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installAuth(app: FastifyInstance, sessions: Sessions): void {
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('sessionId', null);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.routeOptions.config?.public) return;
    const found = sessions.resolve(req.cookies[SESSION_COOKIE]);
    if (found === 'expired') throw new ApiError(401, 'unauthorized', 'the session expired; log in again');
    if (!found) throw new ApiError(401, 'unauthorized', 'log in first (POST /api/session)');
    if (!SAFE.has(req.method) && !csrfMatches(found.session.csrfToken, req.headers['x-csrf-token'])) {
      throw new ApiError(403, 'csrf', 'missing or wrong x-csrf-token header (the csrfToken given at login)');
    }
    req.actor = found.actor;
    req.sessionId = found.session.id;
  });
}
