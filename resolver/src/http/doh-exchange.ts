import { analyseResponse } from '../dns/response-info.js';
import { RCODE_FORMERR } from '../dns/wire.js';
import type { NetworkRuntime, PolicyEngine } from '../policy/policy-types.js';
import type { QueryHandler, Responder } from '../server/query-handler.js';

// One DNS-over-HTTPS exchange (RFC 8484), apart from any HTTP framework: which network asks
// (the token of /dns-query/{token}, else the source address), the message of a GET or POST,
// and the reply's status, type and caching. The listeners' fast path (doh-fast-path.ts) and
// the fastify routes (doh-routes.ts, for in-process requests and the route table) both use it.

export const DNS_MESSAGE = 'application/dns-message';
/** RFC 8484 6: a DNS message over HTTP may be as large as a DNS message over TCP */
export const DOH_BODY_LIMIT = 65535;

export interface DohReply {
  status: number;
  /** the DNS message, or a JSON error body */
  body: Buffer | string;
  /** set for a DNS message only (200) */
  cacheControl?: string;
}

type Pending = (resp: Buffer) => void;
const promiseResponder: Responder<Pending> = { deliver: (resp, done) => done(resp) };

const error = (status: number, message: string): DohReply => ({ status, body: JSON.stringify({ error: message }) });
export const DOH_UNKNOWN_TOKEN = error(404, 'doh: unknown token');
export const DOH_WRONG_TYPE = error(415, `doh: content-type must be ${DNS_MESSAGE}`);
export const DOH_TOO_LARGE = error(413, `doh: a DNS message is at most ${DOH_BODY_LIMIT} bytes`);
const SHORT = error(400, 'doh: missing or short DNS message');
const MALFORMED = error(400, 'doh: malformed DNS message (FORMERR)');
const NOT_A_QUERY = error(400, 'doh: not a DNS query');

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

function replyOf(resp: Buffer): DohReply {
  if ((resp[3] & 0x0f) === RCODE_FORMERR) return MALFORMED;
  return { status: 200, body: resp, cacheControl: cacheControl(resp) };
}

/** The message of a GET: the `dns` parameter in base64url (RFC 8484 4.1), or undefined. */
export function decodeDnsParam(dns: unknown): Buffer | undefined {
  return typeof dns === 'string' && /^[A-Za-z0-9_-]+$/.test(dns) ? Buffer.from(dns, 'base64url') : undefined;
}

export class DohExchange {
  constructor(private readonly handler: QueryHandler, private readonly policy: PolicyEngine) {}

  /**
   * Who asks: the token's network, or the source address without a token; null for an
   * unknown token. An HTTP/2 stream whose connection is already gone has no address: it
   * gets no network (REFUSED), as a stranger does.
   */
  clientOf(token: string | undefined, ip: string | undefined): string | NetworkRuntime | null {
    if (token === undefined) return ip ?? '';
    return this.policy.networkForToken(token);
  }

  /** The reply to one message: at once for a cache hit or a block, later for a miss. */
  answer(msg: Buffer | undefined, client: string | NetworkRuntime): DohReply | Promise<DohReply> {
    if (!msg || msg.length < 12) return SHORT;
    let later: Pending | undefined;
    let early: Buffer | undefined;
    const pending = (resp: Buffer) => (later === undefined ? (early = resp) : later(resp));
    const now = this.handler.handle(msg, client, 0, promiseResponder, pending);
    if (now !== null) return replyOf(now);
    if (!this.handler.wentAsync) return NOT_A_QUERY;
    if (early !== undefined) return replyOf(early);
    return new Promise<DohReply>((resolve) => { later = (resp) => resolve(replyOf(resp)); });
  }
}
