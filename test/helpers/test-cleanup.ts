import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    signalGroup(t.watchdog, 'SIGKILL');
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
  if (t) signalGroup(t.watchdog, 'SIGKILL'); // the group: its `sleep` goes too
  live.delete(c);
}

let dirList = '';

/**
 * Removes `dir` when the test process exits. A janitor shell does it once the process is
 * gone (the 'exit' handler alone misses workers that are killed); the list of dirs is a
 * file it reads at that moment, so dirs added later are included.
 */
export function removeOnExit(dir: string): void {
  dirs.add(dir);
  hook();
  if (!dirList) {
    const own = mkdtempSync(join(tmpdir(), 'nestguard-janitor-'));
    dirList = join(own, 'dirs');
    appendFileSync(dirList, `${own}\n`);
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; while IFS= read -r d; do rm -rf -- "$d"; done < '${dirList}'`;
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  }
  appendFileSync(dirList, `${dir}\n`);
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
