import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config/load-config.js';
import { watchConfigFile } from './config/watch-config.js';
import { startNestguard } from './app.js';
import { createLogger, prettyLogs } from './logger.js';
import { RestartBackoff } from './restart-backoff.js';
import { startupSummary } from './startup-summary.js';

// `npm start`: read the configuration (file + environment), refuse to start with every
// problem listed by field, then serve until SIGINT/SIGTERM, when everything is closed in
// order and the statistics are flushed.

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const pretty = prettyLogs(loaded.config.log_format);
  const log = createLogger(loaded.config.log_level, undefined, pretty);
  const workers = loaded.config.dns.workers;

  // One process, or a cluster: the primary runs the HTTP API, list downloads and the stats
  // roll-up (and migrates the store before any worker opens it); each worker serves DNS on
  // its own UDP socket on the listen address on the batched path (SO_REUSEPORT: the kernel
  // spreads clients over the workers by a hash of the address/port 4-tuple, nothing shared),
  // or on the one socket Node shares among them on the dgram path (and for TCP on both).
  const role = workers === 0 ? 'all' : cluster.isPrimary ? 'primary' : 'worker';
  let stopping = false;
  const workerProcesses = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  // the signal handlers come before the start, which takes a while (lists, the first owner
  // account): a SIGHUP or SIGTERM in that time must not kill the process unflushed
  const starting = startNestguard(loaded, log, { role });
  // SIGHUP: read the configuration again and apply it, lists re-read (operators, and the
  // benchmark's reload run); a bad file is reported and the running configuration stays
  const reload = (reason: string) => {
    starting
      .then((running) => running.reloader.reload(reason))
      .catch((err: unknown) => log.error({ err }, 'config: reload failed; the running configuration stays'));
    if (role === 'primary') for (const w of workerProcesses()) w.process.kill('SIGHUP');
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  // workers follow the primary's SIGHUP, so only one process watches the file
  if (loaded.file && loaded.config.config_watch && role !== 'worker') watchConfigFile(loaded.file, () => reload('config file changed'));
  closeWithGrace({ delay: 10_000, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'nestguard: fatal error, shutting down');
    else if (role !== 'worker') log.info({ signal }, 'nestguard: shutting down');
    stopping = true;
    // workers first: they answer what they still hold, then the primary flushes and closes
    await Promise.all(workerProcesses().map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve();
      w.once('exit', () => resolve());
      w.process.kill('SIGTERM');
    })));
    const running = await starting.catch(() => null);
    await running?.close();
  });
  const running = await starting;
  if (role !== 'worker') {
    const summary = startupSummary(loaded, running);
    // a person reads the lines; a collector gets the same facts as fields
    if (pretty) log.info(summary.text);
    else log.info(summary.fields, summary.text);
  }
  if (role === 'primary') {
    log.info({ workers }, 'nestguard: starting workers');
    const forkedAt = new Map<number, number>();
    cluster.on('fork', (w) => forkedAt.set(w.id, Date.now()));
    for (let i = 0; i < workers; i++) cluster.fork();
    const backoff = new RestartBackoff();
    cluster.on('exit', (w, code) => {
      const ran = Date.now() - (forkedAt.get(w.id) ?? 0);
      forkedAt.delete(w.id);
      if (stopping) return;
      const wait = backoff.next(ran);
      log.error({ code, worker: w.id, restartInMs: wait }, 'nestguard: worker exited; starting another');
      // unref: a restart still waiting never holds a shutdown up
      setTimeout(() => {
        if (!stopping) cluster.fork();
      }, wait).unref();
    });
    // the workers build their snapshots from the disk copies this process just wrote
    running.lists.onSwap(() => {
      for (const w of workerProcesses()) if (w.isConnected()) w.send({ nestguard: 'lists-changed' });
    });
  }
  if (role === 'worker') {
    process.on('message', (m: { nestguard?: string }) => {
      if (m?.nestguard !== 'lists-changed') return;
      running.lists.followCopies().catch((err: unknown) => log.error({ err }, 'lists: cannot read the new copies; the last snapshot stays'));
    });
  }
}

main().catch((err: unknown) => {
  // problems only the store can reveal (a network naming a policy that exists nowhere)
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`nestguard: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
