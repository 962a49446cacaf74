import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { credentialsFor, getAdmin, setPasswordHash } from '../store/admin-repository.js';
import { recordAudit } from '../store/audit-repository.js';
import { deleteSessionsOf, sessionsOf } from '../store/session-repository.js';
import { ApiError, invalid } from './api-error.js';
import { write, type ApiContext } from './api-context.js';
import type { Actor } from './authorization.js';
import { networkNameMap } from './network-names.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password-hash.js';
import { ERRORS } from './schemas/common.js';
import { LoginBody, PasswordChangeBody, SessionBody, SessionInfo, type LoginBodyT, type PasswordChangeBodyT, type SessionBodyT } from './schemas/session.js';
import { SESSION_COOKIE, sessionView } from './sessions.js';
import { Type } from '@sinclair/typebox';

// Login, logout and who is logged in. One message for a wrong username and a wrong password
// (and the same cost: unknown names are checked against a dummy hash), and a per-source limit
// on failures, counted in memory only.

const WRONG = 'wrong username or password';

export const sessionRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const body = (actor: Actor, csrfToken: string): SessionBodyT => {
    const names = networkNameMap(ctx.db);
    return {
      csrfToken,
      user: { id: actor.id, username: actor.username, role: actor.role, networks: actor.networkIds.map((id) => names.get(id) ?? String(id)) },
      idleTimeoutS: Math.round(ctx.sessions.idleMs / 1000),
    };
  };
  const cookie = (req: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', path: '/' });

  app.post<{ Body: LoginBodyT }>('/api/session', {
    config: { public: true },
    schema: { tags: ['session'], summary: 'Log in', body: LoginBody, response: { 200: SessionBody, ...ERRORS } },
  }, async (req, reply) => {
    if (ctx.loginLimiter.exhausted(req.ip)) {
      reply.header('retry-after', String(ctx.loginLimiter.retryAfterS(req.ip)));
      throw new ApiError(429, 'rate-limited', 'too many failed logins from here; wait and try again');
    }
    const cred = credentialsFor(ctx.db, req.body.username);
    const ok = await verifyPassword(req.body.password, cred?.passwordHash ?? DUMMY_HASH);
    if (!cred || !ok) {
      ctx.loginLimiter.hit(req.ip);
      throw new ApiError(401, 'unauthorized', WRONG);
    }
    const admin = getAdmin(ctx.db, cred.id)!;
    const s = ctx.sessions.open(admin.id);
    cookie(req, reply, s.token);
    return body({ id: admin.id, username: admin.username, role: admin.role, networkIds: admin.networkIds }, s.csrfToken);
  });

  app.get('/api/session', {
    schema: { tags: ['session'], summary: 'Who is logged in (and the CSRF token again)', response: { 200: SessionBody, ...ERRORS } },
  }, async (req) => {
    const s = sessionsOf(ctx.db, req.actor.id).find((x) => x.id === req.sessionId)!;
    return body(req.actor, s.csrfToken);
  });

  app.delete('/api/session', {
    schema: { tags: ['session'], summary: 'Log out', response: { 204: Type.Null(), ...ERRORS } },
  }, async (req, reply) => {
    ctx.sessions.close(req.sessionId!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/session/sessions', {
    schema: { tags: ['session'], summary: 'My open sessions', response: { 200: Type.Array(SessionInfo), ...ERRORS } },
  }, async (req) =>
    sessionsOf(ctx.db, req.actor.id).map((s) => sessionView(s, req.sessionId)),
  );

  app.put<{ Body: PasswordChangeBodyT }>('/api/session/password', {
    schema: { tags: ['session'], summary: 'Change my password (ends my other sessions)', body: PasswordChangeBody, response: { 204: Type.Null(), ...ERRORS } },
  }, async (req, reply) => {
    const cred = credentialsFor(ctx.db, req.actor.username);
    if (!cred || !(await verifyPassword(req.body.current_password, cred.passwordHash))) throw invalid('current_password', 'wrong password');
    const hash = await hashPassword(req.body.new_password);
    write(ctx, () => {
      setPasswordHash(ctx.db, req.actor.id, hash);
      deleteSessionsOf(ctx.db, req.actor.id, req.sessionId!);
      recordAudit(ctx.db, { adminId: req.actor.id, username: req.actor.username, action: 'password.change', targetType: 'admin', targetId: req.actor.id, targetName: req.actor.username });
    }, { config: false });
    return reply.code(204).send();
  });
};
