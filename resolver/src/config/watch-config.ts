import { watchFile } from 'node:fs';

// `config_watch: true`: the file is polled (every two seconds), not watched through inotify,
// because editors and configuration tools replace the file rather than write into it, which
// an inotify watch on the old file never reports.

const POLL_MS = 2000;

/** Calls `changed` whenever `file`'s content may have changed, for the life of the process. */
export function watchConfigFile(file: string, changed: () => void): void {
  const listener = (now: { mtimeMs: number; size: number; ino: number }, before: { mtimeMs: number; size: number; ino: number }) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) changed();
  };
  watchFile(file, { interval: POLL_MS, persistent: false }, listener);
}
