import { Worker } from 'node:worker_threads';
import type { BuildJob, BuildResult, CheckJob, CheckResult, ExplainJob, ExplainMatch } from './snapshot-build.js';

// Runs a snapshot job in a worker thread so parsing millions of lines never delays a query.
// The worker is always the compiled JavaScript: when this module runs from TypeScript
// sources (the test runner), its dist/ twin is used.

function workerUrl(): URL {
  const here = import.meta.url;
  const compiled = here.endsWith('.ts') ? here.replace('/resolver/src/', '/dist/resolver/src/').replace(/\.ts$/, '.js') : here;
  return new URL('./compile-worker.js', compiled);
}

export class WorkerRunner {
  private readonly active = new Set<Worker>();

  run(job: BuildJob): Promise<BuildResult>;
  run(job: CheckJob): Promise<CheckResult>;
  run(job: ExplainJob): Promise<ExplainMatch[]>;
  run(job: BuildJob | CheckJob | ExplainJob): Promise<BuildResult | CheckResult | ExplainMatch[]> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerUrl(), { workerData: job });
      this.active.add(worker);
      let settled = false;
      worker.once('message', (m: BuildResult | CheckResult | ExplainMatch[]) => { settled = true; resolve(m); });
      worker.once('error', (e) => { settled = true; reject(new Error(`lists: ${job.kind} worker failed: ${e.message}`)); });
      worker.once('exit', (code) => {
        this.active.delete(worker);
        if (!settled) reject(new Error(`lists: ${job.kind} worker exited with code ${code}`));
      });
    });
  }

  /** Stops every running job; their promises reject. */
  async terminate(): Promise<void> {
    await Promise.all([...this.active].map((w) => w.terminate()));
  }
}
