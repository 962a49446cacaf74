import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// The last good copy of each source under <data_dir>/lists/, so a restart serves at once
// without the network and a failing source keeps its previous content. Each copy has a
// sha256 sidecar written after it: a torn write, a full disk or a stray edit shows up as a
// mismatch and the copy is fetched (or re-read) again instead of being served half-empty.

export type CacheCheck = { ok: true; sha256: string; bytes: number } | { ok: false; reason: string };

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export class ListCache {
  constructor(readonly dir: string) {}

  /** A file name safe on every filesystem, unique per source name. */
  fileFor(name: string): string {
    const slug = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').slice(0, 60);
    const tag = createHash('sha256').update(name).digest('hex').slice(0, 10);
    return join(this.dir, `${slug}-${tag}.txt`);
  }

  private sidecar(name: string): string {
    return `${this.fileFor(name)}.sha256`;
  }

  /** Replaces the copy atomically (rename), then its sidecar; returns the digest. */
  async write(name: string, data: Uint8Array): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileFor(name);
    const sha = sha256Hex(data);
    await writeFile(`${file}.tmp`, data);
    await rename(`${file}.tmp`, file);
    await writeFile(`${file}.sha256.tmp`, `${sha}  ${data.length}\n`);
    await rename(`${file}.sha256.tmp`, this.sidecar(name));
    return sha;
  }

  /** Hashes the copy (streaming, so a 200 MB list does not stall the event loop). */
  async verify(name: string): Promise<CacheCheck> {
    let side: string;
    try {
      side = await readFile(this.sidecar(name), 'utf8');
    } catch {
      return { ok: false, reason: 'no cached copy' };
    }
    const [expected, size] = side.trim().split(/\s+/);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of createReadStream(this.fileFor(name))) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
    } catch {
      return { ok: false, reason: 'cached copy unreadable' };
    }
    const sha = hash.digest('hex');
    if (sha !== expected || String(bytes) !== size) return { ok: false, reason: 'cached copy corrupted (sha256 mismatch)' };
    return { ok: true, sha256: sha, bytes };
  }

  async remove(name: string): Promise<void> {
    await rm(this.fileFor(name), { force: true });
    await rm(this.sidecar(name), { force: true });
  }
}
