import type { FastifyInstance, FastifyReply } from 'fastify';
import { analyseResponse } from '../dns/response-info.js';
import { RCODE_FORMERR } from '../dns/wire.js';
import type { NetworkRuntime, PolicyEngine } from '../policy/policy-types.js';
import type { QueryHandler, Responder } from '../server/query-handler.js';

// DNS over HTTPS (RFC 8484) as a fastify route: GET ?dns=<base64url> and POST
// application/dns-message. `/dns-query/{token}` identifies the client's network by its DoH
// token (phones and laptops away from the school's address range); plain `/dns-query` falls
// back to the source address like UDP and TCP.

const MESSAGE = 'application/dns-message';

type Pending = (resp: Buffer) => void;

const promiseResponder: Responder<Pending> = { deliver: (resp, done) => done(resp) };

/** RFC 8484 5.1: an HTTP cache may keep the answer as long as its shortest-lived record. */
function cacheControl(resp: Buffer): string {
  const ttls = analyseResponse(resp)?.ttls;
  let min = 0;
  if (ttls && ttls.length > 0) {
    min = ttls[0];
    for (let i = 1; i < ttls.length; i++) if (ttls[i] < min) min = ttls[i];
  }
  return `max-age=${min}`;
}

export function dohRoutes(app: FastifyInstance, handler: QueryHandler, policy: PolicyEngine): void {
  app.addContentTypeParser(MESSAGE, { parseAs: 'buffer', bodyLimit: 65535 }, (_req, body, done) => done(null, body));

  const answer = (reply: FastifyReply, msg: Buffer | undefined, client: string | NetworkRuntime) => {
    if (!msg || msg.length < 12) return reply.code(400).send({ error: 'doh: missing or short DNS message' });
    return new Promise<void>((resolve) => {
      const send = (resp: Buffer) => {
        if ((resp[3] & 0x0f) === RCODE_FORMERR) reply.code(400).send({ error: 'doh: malformed DNS message (FORMERR)' });
        else reply.code(200).header('content-type', MESSAGE).header('cache-control', cacheControl(resp)).send(resp);
        resolve();
      };
      const now = handler.handle(msg, client, 0, promiseResponder, send);
      if (now !== null) send(now);
      else if (!handler.wentAsync) {
        reply.code(400).send({ error: 'doh: not a DNS query' });
        resolve();
      }
    });
  };

  const decode = (dns: unknown): Buffer | undefined =>
    typeof dns === 'string' && /^[A-Za-z0-9_-]+$/.test(dns) ? Buffer.from(dns, 'base64url') : undefined;

  const clientOf = (token: string | undefined, ip: string): string | NetworkRuntime | null => {
    if (token === undefined) return ip;
    return policy.networkForToken(token);
  };

  const route = (withToken: boolean) => {
    const url = withToken ? '/dns-query/:token' : '/dns-query';
    app.get(url, async (req, reply) => {
      const client = clientOf((req.params as { token?: string }).token, req.ip);
      if (client === null) return reply.code(404).send({ error: 'doh: unknown token' });
      return answer(reply, decode((req.query as { dns?: unknown }).dns), client);
    });
    app.post(url, async (req, reply) => {
      if (req.headers['content-type'] !== MESSAGE) return reply.code(415).send({ error: `doh: content-type must be ${MESSAGE}` });
      const client = clientOf((req.params as { token?: string }).token, req.ip);
      if (client === null) return reply.code(404).send({ error: 'doh: unknown token' });
      return answer(reply, req.body as Buffer, client);
    });
  };
  route(false);
  route(true);
}
