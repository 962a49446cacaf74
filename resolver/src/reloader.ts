import type { Logger } from 'pino';
import { ConfigError, loadConfig, type LoadedConfig } from './config/load-config.js';

// The one place a running Nestguard takes in a new configuration (SIGHUP, or the file
// changing). The new file is read and checked whole first; a bad one is reported and the
// running configuration stays. Then each registered step applies its part, in registration
// order. A part that cannot change while running says so and names the key; it needs a restart.
//
// A subsystem that can take in changes registers one step, e.g. a TLS listener re-reading its
// certificate: reloader.register('TLS certificate', (next) => { …; return 'certificate reloaded'; }).

export interface ReloadOutcome {
  /** what the step changed, said for the operator ("upstreams"), or nothing if unchanged */
  applied?: string;
  /** keys whose new value is only used after a restart */
  needsRestart?: string[];
}

export type ReloadStep = (next: LoadedConfig, prev: LoadedConfig) => ReloadOutcome | void | Promise<ReloadOutcome | void>;

export class Reloader {
  private readonly steps: Array<{ name: string; step: ReloadStep }> = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private current: LoadedConfig, private readonly log: Logger, private readonly env: NodeJS.ProcessEnv = process.env) {}

  get config(): LoadedConfig {
    return this.current;
  }

  register(name: string, step: ReloadStep): void {
    this.steps.push({ name, step });
  }

  /** Reads and applies the configuration again; false when it was refused. Calls run one at a time. */
  reload(reason: string): Promise<boolean> {
    const run = this.queue.then(() => this.run(reason));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(reason: string): Promise<boolean> {
    let next: LoadedConfig;
    try {
      next = loadConfig(this.env);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.log.error({ problems: e.problems }, `config: reload (${reason}) refused, the running configuration stays; ${e.message}`);
      return false;
    }
    const prev = this.current;
    const applied: string[] = [];
    const restart: string[] = [];
    for (const { name, step } of this.steps) {
      try {
        const out = await step(next, prev);
        if (out?.applied) applied.push(out.applied);
        if (out?.needsRestart) restart.push(...out.needsRestart);
      } catch (e) {
        // a step that refuses (the store rejects the file's networks) stops the reload; the
        // steps after it keep the running configuration, and the next reload compares with
        // the configuration before this one, so it applies again whatever this one did not
        const msg = e instanceof ConfigError ? e.message : `${name}: ${(e as Error).message}`;
        this.log.error({ step: name }, `config: reload (${reason}) stopped at ${name}, the rest of the running configuration stays${applied.length ? ` (already applied: ${applied.join(', ')})` : ''}; ${msg}`);
        return false;
      }
    }
    this.current = next;
    this.log.info({ applied }, `config: reloaded (${reason}): ${applied.length ? applied.join(', ') : 'nothing changed'}`);
    if (restart.length) this.log.warn({ needsRestart: restart }, `config: changed but only used after a restart: ${restart.join(', ')}`);
    return true;
  }
}
