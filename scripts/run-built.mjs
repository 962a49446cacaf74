// Runs a compiled tool (`node scripts/run-built.mjs scripts/lists …`) at once: TypeScript is
// compiled only when a source is newer than the compiled file, so `npm run lists` and
// `npm run report` answer in a fraction of a second instead of rebuilding on every call.
// Plain JavaScript, because it has to run before anything is compiled.

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** what tsconfig.json compiles, and what changes its output */
const SOURCES = ['resolver/src', 'scripts'];
const CONFIG_FILES = ['tsconfig.json', 'package.json'];

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCES) walk(join(ROOT, d));
  for (const f of CONFIG_FILES) newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
  return newest;
}

function builtAt(file) {
  try { return statSync(file).mtimeMs; } catch { return -1; }
}

const [tool, ...args] = process.argv.slice(2);
if (!tool) {
  process.stderr.write('usage: node scripts/run-built.mjs <source path without .ts> [arguments]\n');
  process.exit(2);
}
const target = join(ROOT, 'dist', `${tool}.js`);
if (builtAt(target) < newestSource()) {
  process.stderr.write(`(compiling TypeScript: ${relative(ROOT, target)} is missing or older than its sources)\n`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// the tool sees itself as the program run, with its own arguments
process.argv = [process.argv[0], target, ...args];
await import(pathToFileURL(target).href);
