import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

// Getting a source's bytes: HTTP(S) with a conditional GET (ETag / Last-Modified) so an
// unchanged list costs one round trip, a per-attempt timeout, a size cap enforced while
// streaming (a misconfigured URL must not fill memory), and retries with backoff for the
// failures that are worth retrying. Local files get the same size cap.

export interface FetchOptions {
  etag?: string | null;
  lastModified?: string | null;
  timeoutMs: number;
  maxBytes: number;
  /** attempts after the first; only network errors, timeouts, 429 and 5xx are retried */
  retries?: number;
  /** first backoff delay; doubled each retry, with jitter */
  backoffMs?: number;
}

export type FetchResult =
  | { status: 'modified'; body: Buffer; etag: string | null; lastModified: string | null }
  | { status: 'not-modified' };

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

class RetryableError extends Error {}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw new Error(`lists: ${url}: ${declared} bytes exceeds lists.max_bytes (${maxBytes})`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) throw new Error(`lists: ${url}: body exceeds lists.max_bytes (${maxBytes})`);
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, total);
}

async function attempt(url: string, o: FetchOptions): Promise<FetchResult> {
  const headers: Record<string, string> = { 'user-agent': 'nestguard-lists', accept: 'text/plain, */*' };
  if (o.etag) headers['if-none-match'] = o.etag;
  if (o.lastModified) headers['if-modified-since'] = o.lastModified;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(o.timeoutMs), redirect: 'follow' });
  } catch (e) {
    const err = e as Error;
    const why = err.name === 'TimeoutError' ? `timed out after ${o.timeoutMs} ms` : ((err.cause as Error | undefined)?.message ?? err.message);
    throw new RetryableError(`lists: ${url}: ${why}`);
  }
  if (res.status === 304) {
    await res.body?.cancel();
    return { status: 'not-modified' };
  }
  if (!res.ok) {
    await res.body?.cancel();
    const msg = `lists: ${url}: HTTP ${res.status}`;
    if (res.status === 429 || res.status >= 500) throw new RetryableError(msg);
    throw new Error(msg);
  }
  try {
    const body = await readCapped(res, o.maxBytes, url);
    return { status: 'modified', body, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') throw new RetryableError(`lists: ${url}: timed out after ${o.timeoutMs} ms`);
    throw err;
  }
}

/** Conditional GET of a list URL, retried with exponential backoff on transient failures. */
export async function fetchList(url: string, o: FetchOptions): Promise<FetchResult> {
  const retries = o.retries ?? 3;
  let delay = o.backoffMs ?? 2000;
  for (let i = 0; ; i++) {
    try {
      return await attempt(url, o);
    } catch (e) {
      if (!(e instanceof RetryableError) || i >= retries) throw new Error((e as Error).message);
      await sleep(delay * (0.75 + Math.random() * 0.5));
      delay *= 2;
    }
  }
}

/** Reads a local list file, refusing one larger than the cap before reading it. */
export async function readLocalList(file: string, maxBytes: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new Error(`lists: ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) throw new Error(`lists: ${file}: ${size} bytes exceeds lists.max_bytes (${maxBytes})`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
