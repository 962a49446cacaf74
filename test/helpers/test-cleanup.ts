import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

// Servers spawned by tests must not outlive the test process, even when a test throws before
// its afterAll runs or the worker is torn down: an orphaned NSD or resolver keeps its port and
// skews every later run on the machine. Temp dirs that tests may still read after a server
// stopped (its database, for the privacy checks) go at the same moment.

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', cleanUpAll);
}

function cleanUpAll(): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
  for (const c of live) {
    try {
      // each server runs in its own process group (detached), so its workers go too
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      try { c.kill('SIGKILL'); } catch { /* already gone */ }
    }
  }
  live.clear();
}

export function trackChild(c: ChildProcess): void {
  live.add(c);
  hook();
}

/** Removes `dir` when the test process exits. */
export function removeOnExit(dir: string): void {
  dirs.add(dir);
  hook();
}

export function untrackChild(c: ChildProcess): void {
  live.delete(c);
}

/** Sends a signal to the child's whole process group (children spawned with `detached: true`). */
export function signalGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  if (!c.pid || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, sig);
  } catch {
    c.kill(sig);
  }
}
