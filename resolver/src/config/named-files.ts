import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from './config-schema.js';

// Files the configuration names, checked with the rest of it before anything starts, so a
// missing CA bundle or list file is reported with every other problem instead of failing
// later, half-way through start-up. A key that names a file adds one line to NAMED_FILES.

export interface NamedFile {
  /** the field, in the style of every other problem: `blocklists[2].source` */
  field: string;
  /** as written; relative paths resolve against the config file's directory */
  path: string;
  /** what the file is for, said in the problem (`the CA bundle`) */
  what: string;
}

type NamedFilesOf = (c: Config) => NamedFile[];

const isUrl = (s: string) => /^https?:\/\//i.test(s);

export const NAMED_FILES: readonly NamedFilesOf[] = [
  (c) => (c.upstream.tls_ca_file ? [{ field: 'upstream.tls_ca_file', path: c.upstream.tls_ca_file, what: 'the CA bundle for TLS upstreams' }] : []),
  (c) => (c.tls.cert_file ? [{ field: 'tls.cert_file', path: c.tls.cert_file, what: 'the server certificate (PEM)' }] : []),
  (c) => (c.tls.key_file ? [{ field: 'tls.key_file', path: c.tls.key_file, what: "the server certificate's private key (PEM)" }] : []),
  (c) => c.blocklists.flatMap((b, i) => (isUrl(b.source) || b.enabled === false ? [] : [{ field: `blocklists[${i}].source`, path: b.source, what: 'the list file' }])),
];

/** Problems with the files `c` names: each one missing, not a file, or unreadable. */
export function namedFileProblems(c: Config, baseDir: string): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const of of NAMED_FILES) {
    for (const f of of(c)) {
      const full = resolve(baseDir, f.path);
      const where = full === f.path ? `"${f.path}"` : `"${f.path}" (${full})`;
      try {
        if (!statSync(full).isFile()) { out.push({ field: f.field, message: `${where} is not a file; expected ${f.what}` }); continue; }
        accessSync(full, constants.R_OK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? (e as Error).message})`;
        out.push({ field: f.field, message: `${where} ${why}; expected ${f.what}` });
      }
    }
  }
  return out;
}
