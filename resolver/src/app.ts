import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load-config.js';
import { parseHostPort } from './config/host-port.js';
import { httpServerOptions, httpsServerOptions } from './http/http-server-options.js';
import { ResponseCache } from './cache/response-cache.js';
import { buildApp, createAppServices, type AppServiceOptions } from './api/build-app.js';
import { ensureFirstOwner } from './api/first-owner.js';
import { effectiveSettings } from './api/stored-settings.js';
import { ListManager } from './lists/list-manager.js';
import { PolicyService } from './policy/policy-service.js';
import { QueryHandler } from './server/query-handler.js';
import { streamLimits } from './server/dns-stream.js';
import { discoveryFromConfig, ResolverNames } from './dns/resolver-names.js';
import { DotListener } from './server/dot-listener.js';
import { TcpListener } from './server/tcp-listener.js';
import { createUdpListener, isUdpServing, type UdpServing, udpPath } from './server/udp-transport.js';
import { TlsCertificates } from './server/tls-certificates.js';
import { StatsRecorder, statsOptionsFromConfig } from './stats/stats-recorder.js';
import { DB_FILE_NAME, openDatabase, type Db } from './store/database.js';
import { ListSourceRepository } from './store/list-source-repository.js';
import { UpstreamPool } from './upstream/upstream-pool.js';
import { parseUpstreamUrl } from './upstream/upstream-url.js';
import { cacheOptions, handlerOptions, registerConfigSteps, upstreamOptions } from './live-config.js';
import { Reloader } from './reloader.js';

// Composition root: the one place that decides what is built, in which order, and how it is
// torn down. Order matters: the store first (everything reads it), then lists (policies
// refer to their categories), stats, policies, and only then the listeners, so the first
// query already meets the full filter.

export interface Running {
  dns: Array<UdpServing | TcpListener | DotListener>;
  http: FastifyInstance | null;
  /** the HTTPS listener's app (HTTP/2 and HTTP/1.1), when configured */
  https: FastifyInstance | null;
  /** the server certificate of DoT and HTTPS, when configured; `reload()` re-reads it */
  tls: TlsCertificates | null;
  db: Db;
  lists: ListManager;
  policy: PolicyService;
  stats: StatsRecorder;
  cache: ResponseCache;
  upstream: UpstreamPool;
  /** takes in a new configuration (SIGHUP); other subsystems register their reload steps here */
  reloader: Reloader;
  /** the admin console is served (it was built) */
  console: boolean;
  close(): Promise<void>;
}

/** SO_RCVBUF / SO_SNDBUF asked for: bursts of a few thousand queries are absorbed, not dropped */
const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export interface StartOptions {
  /**
   * `all` (one process, the default) runs everything. A cluster splits it: each `worker`
   * serves DNS only (its snapshot built from the lists' disk copies, its counts flushed);
   * the `primary` runs the HTTP API (DoH included), list downloads and the stats roll-up,
   * and no DNS listener.
   */
  role?: 'all' | 'primary' | 'worker';
  /** the admin API's sessions, limits and public URLs */
  api?: AppServiceOptions;
  /** where the first owner's generated password is shown (default: stderr, never the log) */
  terminal?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function startNestguard(loaded: LoadedConfig, log: Logger, opts: StartOptions = {}): Promise<Running> {
  const { config } = loaded;
  const udp = udpPath(config.dns.udp);
  const db = openDatabase(join(config.data_dir, DB_FILE_NAME));

  const role = opts.role ?? 'all';
  const lists = new ListManager({ sources: new ListSourceRepository(db), config, baseDir: loaded.baseDir, logger: log.child({ stage: 'lists' }), fetch: role !== 'worker' });
  const stats = new StatsRecorder(db, {
    ...statsOptionsFromConfig(config.stats),
    onError: (err) => log.error({ err, stage: 'stats' }, 'stats: flush failed; counts kept for the next try'),
  });
  let policy: PolicyService;
  try {
    // imports the file's policies and networks, checked against the store, before any list
    // loads: a network naming an unknown policy stops the start before anything runs
    policy = new PolicyService({
      db,
      config,
      lists: () => lists.matcher,
      logger: log.child({ stage: 'policy' }),
    });
  } catch (err) {
    db.close();
    throw err;
  }
  await lists.start();
  stats.start(role !== 'worker');
  policy.start();

  const effective = { ...config, ...effectiveSettings(db, config) };
  const cache = new ResponseCache(cacheOptions(effective));
  const upstream = new UpstreamPool(effective.upstreams.map(parseUpstreamUrl), {
    ...upstreamOptions(config),
    logger: log.child({ stage: 'upstream' }),
    // a role without DNS listeners still forwards DoH: the same UDP path either way
    udpAddon: udp.addon,
  });
  // kept here: a reload updates the timers in place, the handler reads them on every query
  const timers = handlerOptions(config);
  const handler = new QueryHandler(policy, cache, upstream, stats, timers, log.child({ stage: 'resolver' }));
  const reloader = new Reloader(loaded, log);
  registerConfigSteps(reloader, { db, lists, cache, upstream, handler: timers, log });

  const dns: Array<UdpServing | TcpListener | DotListener> = [];
  const udpOptions = {
    maxUdp: config.dns.udp_payload_max,
    bufferBytes: UDP_BUFFER_BYTES,
    // cluster workers each open their own socket on the listen address
    reusePort: role === 'worker',
  };
  for (const l of role === 'primary' ? [] : config.dns.listen) {
    const addr = parseHostPort(l);
    dns.push(createUdpListener(udp, addr, handler, udpOptions, log));
    dns.push(new TcpListener(addr, handler, streamLimits(config), log));
  }
  handler.ownNames = new ResolverNames(discoveryFromConfig(config));
  const dotListen = role === 'primary' ? [] : config.dns.dot_listen;
  const httpsListen = role === 'worker' ? undefined : config.http.https_listen;
  // a missing, unreadable or mismatched certificate stops the start here, naming the file
  const certs = (dotListen.length > 0 || httpsListen !== undefined) && config.tls.cert_file && config.tls.key_file
    ? new TlsCertificates({ certFile: config.tls.cert_file, keyFile: config.tls.key_file }, log)
    : null;
  if (certs !== null) {
    for (const l of dotListen) dns.push(new DotListener(parseHostPort(l), handler, streamLimits(config), certs, config.tls.server_name, policy, log));
    certs.watch();
    reloader.register('TLS certificate', () => { certs.reload(); });
  }

  const stopOutsideNotice = handler.outside.logEveryMinute(log.child({ stage: 'resolver' }));

  let http: FastifyInstance | null = null;
  let https: FastifyInstance | null = null;
  let consoleServed = false;
  const close = async () => {
    stopOutsideNotice();
    // Queries waiting for upstreams are answered on the sockets they came from: stop reading
    // new UDP queries, let the waiting ones finish (none waits longer than the resolve
    // timeout), end any left with the upstreams' closing, and only then close the sockets.
    for (const d of dns) if (isUdpServing(d)) d.stopReading();
    const drainUntil = Date.now() + config.upstream.resolve_timeout_ms;
    while (handler.waitingCount > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
    await upstream.close();
    await new Promise((r) => setImmediate(r));
    await Promise.allSettled(dns.map((d) => d.close()));
    if (http) await http.close().catch(() => undefined);
    if (https) await https.close().catch(() => undefined);
    certs?.close();
    policy.stop();
    lists.stop();
    stats.stop(); // the final flush: a graceful shutdown loses no count
    db.close();
  };

  try {
    // the HTTP app is built (and the first owner made) before any socket opens: once DNS
    // answers, everything else is ready within one listen call
    if (role !== 'worker') {
      await ensureFirstOwner(db, opts.env ?? process.env, opts.terminal ?? ((line) => process.stderr.write(`${line}\n`)));
      const services = createAppServices({ db, config, policy, lists, stats, cache, upstream, handler, log }, opts.api);
      // DoH is answered on the listeners before fastify; a failure there is logged like the API's
      const doh = { exchange: services.doh, onError: (err: unknown) => log.error({ err, stage: 'doh' }, 'doh: request failed') };
      const built = await buildApp(services, { admin: true, server: httpServerOptions(config, doh) });
      http = built.app;
      consoleServed = built.console;
      await http.ready();
      if (certs !== null && httpsListen !== undefined) {
        https = (await buildApp(services, { admin: config.http.https_admin, server: httpsServerOptions(config, certs, doh) })).app;
        await https.ready();
      }
    }
    for (const d of dns) await d.listen();
    const served = dns.find(isUdpServing);
    if (served !== undefined) {
      log.info({
        stage: 'udp',
        path: udp.addon !== null ? 'batched' : 'dgram',
        reason: udp.reason,
        reusePort: udpOptions.reusePort && udp.addon !== null,
        buffers: served.bufferSizes,
      }, udp.addon !== null ? 'udp: served by the batched recvmmsg/sendmmsg addon' : 'udp: served by node:dgram');
    }
    if (http) {
      const h = parseHostPort(config.http.listen);
      await http.listen({ host: h.host, port: h.port });
    }
    if (https && httpsListen !== undefined) {
      const h = parseHostPort(httpsListen);
      await https.listen({ host: h.host, port: h.port });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { dns, http, https, tls: certs, db, lists, policy, stats, cache, upstream, reloader, console: consoleServed, close };
}
