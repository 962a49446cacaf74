import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiErrorBody, ProblemT } from './schemas/common.js';

// One error shape for every failure: `{ error, message, field? , problems? }`. Routes throw
// ApiError; schema validation failures are translated here with the field named in the same
// path style as the config file's messages ("cidrs[1]", "schedules[0].from"); anything else
// unexpected becomes a 500 whose body says nothing about the internals.

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly problems?: ProblemT[],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not-found', `${what} does not exist`);
export const forbidden = (message = 'your role does not allow this') => new ApiError(403, 'forbidden', message);
export const invalid = (field: string, message: string, problems?: ProblemT[]) => new ApiError(400, 'invalid', `${field}: ${message}`, field, problems);
export const managedByConfig = (what: string) =>
  new ApiError(409, 'managed-by-config', `${what} is managed by the configuration file; change it there (read-only through the API)`);

/** Problems (field + message) as a 400 naming the first field and listing all. */
export function invalidAll(problems: ProblemT[]): ApiError {
  const first = problems[0];
  return new ApiError(400, 'invalid', problems.length === 1 ? `${first.field}: ${first.message}` : `${problems.length} problems, first ${first.field}: ${first.message}`, first.field, problems);
}

/** JSON pointer ("/cidrs/1/x") to the config-style path ("cidrs[1].x"). */
function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

interface AjvIssue { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }

function validationProblem(v: AjvIssue, context: string | undefined): ProblemT {
  let field = pointerToPath(v.instancePath);
  const extra = v.params.missingProperty ?? v.params.additionalProperty;
  if (typeof extra === 'string') field = field ? `${field}.${extra}` : extra;
  if (!field) field = context === 'body' || !context ? '(body)' : context;
  let message = v.message ?? 'invalid';
  if (v.keyword === 'additionalProperties') message = 'unknown field';
  else if (v.keyword === 'required') message = 'required';
  return { field, message };
}

function send(reply: FastifyReply, status: number, body: ApiErrorBody): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 405: 'method-not-allowed', 406: 'not-acceptable',
  409: 'conflict', 413: 'too-large', 415: 'unsupported-media-type', 429: 'rate-limited',
};

export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) {
      const body: ApiErrorBody = { error: err.code, message: err.message };
      if (err.field !== undefined) body.field = err.field;
      if (err.problems && err.problems.length > 1) body.problems = err.problems;
      return send(reply, err.statusCode, body);
    }
    if (err.validation) {
      const problems = (err.validation as AjvIssue[]).map((v) => validationProblem(v, err.validationContext));
      const e = invalidAll(problems);
      return send(reply, 400, { error: 'invalid', message: e.message, field: e.field, ...(problems.length > 1 ? { problems } : {}) });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return send(reply, status, { error: CODE_BY_STATUS[status] ?? 'bad-request', message: err.message.replace(/^FST_\w+: /, '') });
    }
    // the route pattern, never the URL (DoH GET carries the question) nor the client
    log.error({ err, stage: 'api', route: req.routeOptions.url, method: req.method }, 'api: request failed');
    return send(reply, 500, { error: 'internal', message: 'internal error; the server log has the details' });
  });
}

/** 404 for a path no route serves, in the one error shape; `page` may answer it first (the console). */
export function installNotFound(app: FastifyInstance, page?: (req: FastifyRequest, reply: FastifyReply) => FastifyReply | null): void {
  app.setNotFoundHandler((req, reply) => page?.(req, reply) ?? send(reply, 404, { error: 'not-found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
}
