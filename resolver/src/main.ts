import cluster from 'node:cluster';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config/load-config.js';
import { startNestguard } from './app.js';
import { createLogger, prettyLogs } from './logger.js';
import { startupSummary } from './startup-summary.js';
import { DB_FILE_NAME, openDatabase } from './store/database.js';

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

  if (workers > 0 && cluster.isPrimary) {
    // Node shares each listening socket among the workers (UDP: one socket, every worker
    // reads from it); the primary only supervises.
    log.info({ workers }, 'nestguard: starting workers');
    // migrate once here, so workers starting together never race to create the schema
    openDatabase(join(loaded.config.data_dir, DB_FILE_NAME)).close();
    for (let i = 0; i < workers; i++) cluster.fork();
    let stopping = false;
    cluster.on('exit', (w, code) => {
      if (stopping) return;
      log.error({ code, worker: w.id }, 'nestguard: worker exited; starting another');
      cluster.fork();
    });
    process.on('SIGHUP', () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
    });
    closeWithGrace({ delay: 10_000, skip: ['SIGHUP'] }, async () => {
      stopping = true;
      await Promise.all(Object.values(cluster.workers ?? {}).map((w) => new Promise<void>((resolve) => {
        if (!w || w.isDead()) return resolve();
        w.once('exit', () => resolve());
        w.process.kill('SIGTERM');
      })));
    });
    return;
  }

  // the signal handlers come before the start, which takes a while (lists, the first owner
  // account): a SIGHUP or SIGTERM in that time must not kill the process unflushed
  const starting = startNestguard(loaded, log);
  // SIGHUP: read the configuration again and apply it, lists re-read (operators, and the
  // benchmark's reload run); a bad file is reported and the running configuration stays
  process.on('SIGHUP', () => {
    starting
      .then((running) => running.reloader.reload('SIGHUP'))
      .catch((err: unknown) => log.error({ err }, 'config: reload failed; the running configuration stays'));
  });
  closeWithGrace({ delay: 10_000, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'nestguard: fatal error, shutting down');
    else log.info({ signal }, 'nestguard: shutting down');
    const running = await starting.catch(() => null);
    await running?.close();
  });
  const running = await starting;
  const summary = startupSummary(loaded, running);
  // a person reads the lines; a collector gets the same facts as fields
  if (pretty) log.info(summary.text);
  else log.info(summary.fields, summary.text);
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
