import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

// Servers spawned by tests must not outlive the test process, even when a test throws before
// its afterAll runs or the worker is torn down: an orphaned NSD or resolver keeps its port and
// skews every later run on the machine. An 'exit' handler is not enough, since a test worker
// killed by a signal never runs it, so each server also gets a tiny shell watchdog that kills
// the server's process group once the test process is gone.

interface Tracked {
  watchdog: ChildProcess;
}

const live = new Map<ChildProcess, Tracked>();
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
  for (const [c, t] of live) {
    signalGroup(c, 'SIGKILL');
    t.watchdog.kill('SIGKILL');
  }
  live.clear();
}

/** Tracks a child spawned with `detached: true` (its own process group) until untrackChild. */
export function trackChild(c: ChildProcess): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; kill -KILL -${c.pid} 2>/dev/null`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  live.set(c, { watchdog });
  hook();
}

export function untrackChild(c: ChildProcess): void {
  const t = live.get(c);
  if (t) t.watchdog.kill('SIGKILL');
  live.delete(c);
}

/** Removes `dir` when the test process exits. */
export function removeOnExit(dir: string): void {
  dirs.add(dir);
  hook();
}

/** Sends a signal to the child's whole process group (children spawned with `detached: true`). */
export function signalGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  if (!c.pid || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, sig);
  } catch {
    try { c.kill(sig); } catch { /* already gone */ }
  }
}
