import type { FastifyInstance, FastifyReply } from 'fastify';
import { decodeDnsParam, DNS_MESSAGE, DOH_BODY_LIMIT, DOH_UNKNOWN_TOKEN, DOH_WRONG_TYPE, type DohExchange, type DohReply } from './doh-exchange.js';

// DNS over HTTPS (RFC 8484) as fastify routes: GET ?dns=<base64url> and POST
// application/dns-message. `/dns-query/{token}` identifies the client's network by its DoH
// token (phones and laptops away from the school's address range); plain `/dns-query` falls
// back to the source address like UDP and TCP. On the listeners, doh-fast-path.ts answers
// these requests before fastify sees them; these routes serve in-process requests (`inject`)
// and keep the paths in the route table, with the same exchange.

function send(reply: FastifyReply, r: DohReply): FastifyReply {
  reply.code(r.status);
  if (r.cacheControl !== undefined) return reply.header('content-type', DNS_MESSAGE).header('cache-control', r.cacheControl).send(r.body);
  return reply.header('content-type', 'application/json; charset=utf-8').send(r.body);
}

export function dohRoutes(app: FastifyInstance, doh: DohExchange): void {
  app.addContentTypeParser(DNS_MESSAGE, { parseAs: 'buffer', bodyLimit: DOH_BODY_LIMIT }, (_req, body, done) => done(null, body));

  const route = (withToken: boolean) => {
    const url = withToken ? '/dns-query/:token' : '/dns-query';
    app.get(url, async (req, reply) => {
      const client = doh.clientOf((req.params as { token?: string }).token, req.ip);
      if (client === null) return send(reply, DOH_UNKNOWN_TOKEN);
      return send(reply, await doh.answer(decodeDnsParam((req.query as { dns?: unknown }).dns), client));
    });
    app.post(url, async (req, reply) => {
      if (req.headers['content-type'] !== DNS_MESSAGE) return send(reply, DOH_WRONG_TYPE);
      const client = doh.clientOf((req.params as { token?: string }).token, req.ip);
      if (client === null) return send(reply, DOH_UNKNOWN_TOKEN);
      return send(reply, await doh.answer(req.body as Buffer, client));
    });
  };
  route(false);
  route(true);
}
