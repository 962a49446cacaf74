import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Value } from '@sinclair/typebox/value';
import { startNestguard as startInProcess, type Running } from '../../resolver/src/app.js';
import type { AppServiceOptions } from '../../resolver/src/api/build-app.js';
import { ConfigSchema, type Config } from '../../resolver/src/config/config-schema.js';
import { DEFAULTS } from '../../resolver/src/config/load-config.js';
import { createLogger } from '../../resolver/src/logger.js';
import { freePort } from './ports.js';

// The whole server in this process, composed by app.ts exactly as shipped (real SQLite file,
// list manager, policy engine, listeners on free loopback ports), so route tests can use
// fastify's `inject` and still see their writes reach the resolver.

export const OWNER_PASSWORD = 'owner-password-for-tests';

export interface ApiServer {
  running: Running;
  app: FastifyInstance;
  dataDir: string;
  /** lines the server showed on the terminal */
  terminal: string[];
  close(): Promise<void>;
}

export async function startApiServer(o: { config?: Partial<Config>; api?: AppServiceOptions; env?: NodeJS.ProcessEnv; dataDir?: string } = {}): Promise<ApiServer> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'nestguard-api-'));
  const dnsPort = await freePort();
  const httpPort = await freePort();
  const unusedUpstream = await freePort();
  const config = structuredClone({
    ...DEFAULTS,
    data_dir: dataDir,
    log_level: 'silent',
    dns: { ...DEFAULTS.dns, listen: [`127.0.0.1:${dnsPort}`] },
    http: { ...DEFAULTS.http, listen: `127.0.0.1:${httpPort}` },
    upstreams: [`udp://127.0.0.1:${unusedUpstream}`],
    lists: { ...DEFAULTS.lists, bundled: false },
    ...o.config,
  }) as Config;
  if (!Value.Check(ConfigSchema, config)) throw new Error(`api-server: bad test config: ${[...Value.Errors(ConfigSchema, config)].map((e) => e.path + ' ' + e.message).join('; ')}`);
  const terminal: string[] = [];
  const running = await startInProcess({ config, baseDir: dataDir }, createLogger('silent'), {
    api: o.api,
    env: o.env ?? { NESTGUARD_ADMIN_PASSWORD: OWNER_PASSWORD },
    terminal: (line) => terminal.push(line),
  });
  return {
    running,
    app: running.http!,
    dataDir,
    terminal,
    async close() {
      await running.close();
      if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A logged-in admin: requests carry its cookie, and writes its CSRF token. */
export interface Client {
  csrf: string;
  cookie: string;
  user: { id: number; username: string; role: string; networks: string[] };
  req(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export async function login(app: FastifyInstance, username: string, password: string, remoteAddress = '127.0.0.1'): Promise<Client> {
  const r = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password }, remoteAddress });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
  const setCookie = r.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)!.split(';')[0];
  const body = r.json() as { csrfToken: string; user: Client['user'] };
  return {
    csrf: body.csrfToken,
    cookie,
    user: body.user,
    req: (method, url, payload, headers = {}) =>
      app.inject({ method, url, payload: payload as InjectOptions['payload'], headers: { cookie, 'x-csrf-token': body.csrfToken, ...headers }, remoteAddress }),
  };
}

/** Creates an admin through the API as `owner` and logs it in. */
export async function adminAs(app: FastifyInstance, owner: Client, username: string, role: string, networks: string[] = []): Promise<Client> {
  const password = `${username}-password-123`;
  const r = await owner.req('POST', '/api/admins', { username, password, role, networks });
  if (r.statusCode !== 201) throw new Error(`create admin ${username}: ${r.statusCode} ${r.body}`);
  return login(app, username, password);
}
