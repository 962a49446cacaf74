import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import tls from 'node:tls';
import type { Logger } from 'pino';

// The server certificate shared by DoT and HTTPS. Operators renew it with their ACME client,
// which replaces the files: a change on disk (or `reload()`, which the SIGHUP handler calls)
// reads them again and gives every TLS server the new context, so the next handshake gets the
// new certificate while open connections carry on. A renewal that cannot be read, or whose key
// does not fit, is logged and the certificate in use stays.

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

/** The PEM pair as TLS options; throws an error naming the file at fault. */
export function readCertificates(f: CertificateFiles): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? (e as Error).message})`;
      throw new Error(`tls: ${what} "${file}" ${why}`);
    }
  };
  const cert = read(f.certFile, 'certificate file');
  const key = read(f.keyFile, 'key file');
  try { new X509Certificate(cert); } catch (e) { throw new Error(`tls: certificate file "${f.certFile}" holds no PEM certificate: ${(e as Error).message}`); }
  try { createPrivateKey(key); } catch (e) { throw new Error(`tls: key file "${f.keyFile}" holds no PEM private key: ${(e as Error).message}`); }
  try {
    tls.createSecureContext({ cert, key });
  } catch (e) {
    throw new Error(`tls: key file "${f.keyFile}" does not match certificate file "${f.certFile}": ${(e as Error).message}`);
  }
  return { cert, key };
}

interface ContextTarget {
  setSecureContext(options: tls.SecureContextOptions): void;
}

/** How long file events are gathered before reading: an ACME client writes both files. */
const SETTLE_MS = 200;

export class TlsCertificates {
  private current: { cert: Buffer; key: Buffer };
  private readonly targets: ContextTarget[] = [];
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly files: CertificateFiles, private readonly log: Logger) {
    this.current = readCertificates(files);
  }

  /** Options for a new TLS server: the certificate in use now. */
  get options(): { cert: Buffer; key: Buffer } {
    return this.current;
  }

  /** Gives `server` every later certificate. */
  serve(server: ContextTarget): void {
    this.targets.push(server);
  }

  /** Reads the files again; true when the new certificate is in use. */
  reload(): boolean {
    let next: { cert: Buffer; key: Buffer };
    try {
      next = readCertificates(this.files);
    } catch (e) {
      this.log.error({ stage: 'tls' }, `${(e as Error).message}; the certificate in use stays`);
      return false;
    }
    if (next.cert.equals(this.current.cert) && next.key.equals(this.current.key)) return true;
    this.current = next;
    for (const t of this.targets) t.setSecureContext(next);
    this.log.info({ stage: 'tls' }, 'tls: certificate reloaded; new connections get it');
    return true;
  }

  /** Reloads when either file changes (watched through its folder: renewals replace files). */
  watch(): void {
    const dirs = new Map<string, Set<string>>();
    for (const f of [this.files.certFile, this.files.keyFile]) {
      const full = resolve(f);
      const names = dirs.get(dirname(full)) ?? new Set<string>();
      names.add(basename(full));
      dirs.set(dirname(full), names);
    }
    for (const [dir, names] of dirs) {
      const w = watch(dir, (_event, name) => {
        if (name !== null && !names.has(name.toString())) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => { this.timer = null; this.reload(); }, SETTLE_MS);
      });
      w.on('error', (e) => this.log.warn({ stage: 'tls' }, `tls: cannot watch ${dir}: ${e.message}; SIGHUP still reloads`));
      this.watchers.push(w);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
  }
}
