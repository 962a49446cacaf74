import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// The admin console is a single-page app built by Vite into dist/console (beside this
// compiled file's dist/resolver). Hashed assets never change under their name, so browsers
// may keep them for a year; index.html must be revalidated, or a school would keep running
// yesterday's console. Client routes (/networks/3, /report) get index.html so a reload or a
// shared link works; API and DoH paths keep their plain 404.

export const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

const ASSET_CACHE = 'public, max-age=31536000, immutable';
const PAGE_CACHE = 'no-cache';
/** paths that belong to the API or the resolver, never to the console */
const NOT_CONSOLE = /^\/(api|dns-query|health|healthz|readyz|metrics)(\/|\?|$)/;

/** A browser asking for a console page the router knows (not an API path, not a missing asset). */
export function wantsPage(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (NOT_CONSOLE.test(req.url)) return false;
  // a missing /assets/x.js is a real 404, not a page
  if (req.url.startsWith('/assets/')) return false;
  return (req.headers.accept ?? '').includes('text/html');
}

export interface ConsoleStaticOptions {
  /** the built console; default dist/console of this installation */
  root?: string;
}

/**
 * Registers the console, or nothing when it was not built (the API and DoH still serve). The
 * app's not-found handler answers client routes with `sendConsolePage` (see api/build-app.ts).
 */
export async function consoleStatic(app: FastifyInstance, opts: ConsoleStaticOptions = {}): Promise<boolean> {
  const root = opts.root ?? CONSOLE_DIR;
  if (!existsSync(join(root, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // one route per built file, found at start: unknown paths reach the not-found handler below
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes(`${sep}assets${sep}`) ? ASSET_CACHE : PAGE_CACHE);
    },
  });
  return true;
}

export function sendConsolePage(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', PAGE_CACHE).type('text/html; charset=utf-8').sendFile('index.html');
}
