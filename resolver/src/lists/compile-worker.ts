import { parentPort, workerData } from 'node:worker_threads';
import { transferables } from './compiled-tables.js';
import { buildSnapshot, checkSource, explainName, type BuildJob, type CheckJob, type ExplainJob } from './snapshot-build.js';

// Worker entry: one job per worker. The table buffers are transferred, not copied, so the
// main thread receives a million-entry snapshot without a pause.

const job = workerData as BuildJob | CheckJob | ExplainJob;
if (job.kind === 'build') {
  const result = buildSnapshot(job);
  parentPort!.postMessage(result, transferables(result.tables));
} else if (job.kind === 'check') {
  parentPort!.postMessage(checkSource(job));
} else {
  parentPort!.postMessage(explainName(job));
}
