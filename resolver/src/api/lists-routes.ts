import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { readCatalog } from '../lists/list-catalog.js';
import type { ListSourceStatus, RefreshProgress } from '../lists/list-manager.js';
import type { DeclaredSource, SourceFormat } from '../lists/list-source-types.js';
import { recordAudit } from '../store/audit-repository.js';
import { ListSourceRepository } from '../store/list-source-repository.js';
import { ApiError, forbidden, managedByConfig, notFound } from './api-error.js';
import { write, type ApiContext } from './api-context.js';
import { mayLists } from './authorization.js';
import { ERRORS, IdParams } from './schemas/common.js';
import {
  CatalogEntry, CatalogParams, JobParams, ListCreateBody, ListSource, ListUpdateBody, RefreshBody, RefreshJob,
  type CatalogEntryT, type ListCreateBodyT, type ListSourceT, type ListUpdateBodyT, type RefreshBodyT, type RefreshJobT,
} from './schemas/lists.js';

// Blocklist sources: their state (counts, invalid lines, last error), adding and editing the
// API's own sources (http(s) URLs only: a path would let the API read the server's files back
// as "invalid lines"), enabling a catalog entry, and a refresh that reports its progress.
// Every change is compiled off the hot path and swapped in by the list manager.

const KEEP_JOBS = 20;

export const listsRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const repo = new ListSourceRepository(ctx.db);
  const jobs = new Map<number, RefreshJobT>();
  let nextJob = 1;

  const view = (r: ListSourceStatus): ListSourceT => ({
    id: r.id, name: r.name, category: r.category, source: r.source, format: r.format, enabled: r.enabled,
    refresh_hours: r.refreshHours, description: r.description, license: r.license, managed: r.origin, live: r.live,
    last_attempt_at: r.lastAttemptAt, last_success_at: r.lastSuccessAt, last_error: r.lastError, next_refresh_at: r.nextRefreshAt,
    content_bytes: r.contentBytes, detected_format: r.detectedFormat, entries: r.entries, regex_over_cap: r.regexOverCap,
    skipped: r.skipped, invalid: r.invalid, invalid_sample: r.invalidSample,
  });
  const find = (id: number): ListSourceStatus => {
    const r = ctx.lists.status().find((x) => x.id === id);
    if (!r) throw notFound(`list source ${id}`);
    return r;
  };
  const owner = (req: FastifyRequest) => {
    if (!mayLists(req.actor, 'edit')) throw forbidden('only an owner changes list sources');
  };
  const editable = (req: FastifyRequest, id: number) => {
    owner(req);
    const r = find(id);
    if (r.origin === 'config') throw managedByConfig(`list source "${r.name}"`);
    if (r.origin === 'bundled') throw new ApiError(409, 'managed-by-config', `list source "${r.name}" is the shipped offline set; turn it off with lists.bundled in the configuration file`);
    return r;
  };
  const nameFree = (name: string, selfId: number | null) => {
    const other = repo.get(name);
    if (other && other.id !== selfId) throw new ApiError(409, 'conflict', `a list source named "${name}" exists`, 'name');
  };
  const declared = (b: ListCreateBodyT): DeclaredSource => ({
    name: b.name, category: b.category, source: b.source, format: (b.format ?? 'auto') as SourceFormat, enabled: b.enabled ?? true,
    refreshHours: b.refresh_hours ?? null, description: b.description ?? null, license: b.license ?? null,
  });
  const audit = (req: FastifyRequest, action: string, r: { id: number; name: string }, before?: unknown, after?: unknown) =>
    recordAudit(ctx.db, { adminId: req.actor.id, username: req.actor.username, action, targetType: 'list', targetId: r.id, targetName: r.name, before, after });
  /** Creates an API source, audited; the manager fetches and compiles it in the background. */
  const create = (req: FastifyRequest, src: DeclaredSource, action: string) => {
    nameFree(src.name, null);
    const id = write(ctx, () => {
      const created = repo.insertApiSource(src);
      audit(req, action, { id: created, name: src.name }, undefined, src);
      return created;
    }, { config: false });
    ctx.lists.sourcesChanged(src.name).catch((e: Error) => ctx.log.warn(`lists: ${src.name}: ${e.message}`));
    return find(id);
  };

  app.get('/api/lists', { schema: { tags: ['lists'], summary: 'Every list source with its state', response: { 200: Type.Array(ListSource), ...ERRORS } } }, async () =>
    ctx.lists.status().map(view));

  app.get<{ Params: { id: number } }>('/api/lists/:id', { schema: { tags: ['lists'], params: IdParams, response: { 200: ListSource, ...ERRORS } } }, async (req) =>
    view(find(req.params.id)));

  app.post<{ Body: ListCreateBodyT }>('/api/lists', {
    schema: { tags: ['lists'], summary: 'Add a list source by URL (owners); it is fetched and compiled in the background', body: ListCreateBody, response: { 201: ListSource, ...ERRORS } },
  }, async (req, reply) => {
    owner(req);
    return reply.code(201).send(view(create(req, declared(req.body), 'list.create')));
  });

  app.patch<{ Params: { id: number }; Body: ListUpdateBodyT }>('/api/lists/:id', {
    schema: { tags: ['lists'], summary: 'Change a source (enable, disable, move, re-categorise)', params: IdParams, body: ListUpdateBody, response: { 200: ListSource, ...ERRORS } },
  }, async (req) => {
    const current = editable(req, req.params.id);
    const b = req.body;
    const next: DeclaredSource = {
      name: b.name ?? current.name, category: b.category ?? current.category, source: b.source ?? current.source,
      format: (b.format as SourceFormat | undefined) ?? current.format, enabled: b.enabled ?? current.enabled,
      refreshHours: b.refresh_hours ?? current.refreshHours, description: b.description ?? current.description, license: b.license ?? current.license,
    };
    nameFree(next.name, current.id);
    write(ctx, () => {
      repo.updateApiSource(current.id, next);
      audit(req, 'list.update', current, view(current), next);
    }, { config: false });
    await ctx.lists.sourcesChanged(next.name);
    return view(find(current.id));
  });

  app.delete<{ Params: { id: number } }>('/api/lists/:id', {
    schema: { tags: ['lists'], params: IdParams, response: { 204: Type.Null(), ...ERRORS } },
  }, async (req, reply) => {
    const current = editable(req, req.params.id);
    write(ctx, () => {
      repo.deleteApiSource(current.id);
      audit(req, 'list.delete', current, view(current));
    }, { config: false });
    await ctx.lists.sourcesChanged();
    return reply.code(204).send();
  });

  app.get('/api/lists/catalog', {
    schema: { tags: ['lists'], summary: 'blocklists/catalog.yaml: well-known sources, disabled until enabled here', response: { 200: Type.Array(CatalogEntry), ...ERRORS } },
  }, async (): Promise<CatalogEntryT[]> => readCatalog(ctx.catalogDir).map((e) => ({ ...e, source_id: repo.get(e.name)?.id ?? null })));

  app.post<{ Params: { name: string } }>('/api/lists/catalog/:name', {
    schema: { tags: ['lists'], summary: 'Enable a catalog source (owners)', params: CatalogParams, response: { 201: ListSource, ...ERRORS } },
  }, async (req, reply) => {
    owner(req);
    const e = readCatalog(ctx.catalogDir).find((x) => x.name === req.params.name);
    if (!e) throw notFound(`catalog source "${req.params.name}"`);
    const src: DeclaredSource = { name: e.name, category: e.category, source: e.url, format: e.format, enabled: true, refreshHours: null, description: e.description || null, license: e.license || null };
    return reply.code(201).send(view(create(req, src, 'list.catalog.enable')));
  });

  app.post<{ Body: RefreshBodyT }>('/api/lists/refresh', {
    schema: { tags: ['lists'], summary: 'Refresh now (owners); follow the progress at /api/lists/refresh/{job}', body: RefreshBody, response: { 202: RefreshJob, ...ERRORS } },
  }, async (req, reply) => {
    owner(req);
    const name = req.body.source === undefined ? undefined : find(req.body.source).name;
    const job: RefreshJobT = { id: nextJob++, state: 'running', phase: 'queued', total: 0, fetched: 0, started_at: new Date().toISOString(), finished_at: null, error: null };
    jobs.set(job.id, job);
    for (const old of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEEP_JOBS))) jobs.delete(old);
    ctx.lists.refresh(name, (p: RefreshProgress) => Object.assign(job, { phase: p.phase, total: p.total, fetched: p.fetched })).then(
      () => Object.assign(job, { state: 'done', phase: 'done', finished_at: new Date().toISOString() }),
      (e: Error) => Object.assign(job, { state: 'failed', error: e.message, finished_at: new Date().toISOString() }),
    );
    return reply.code(202).send(job);
  });

  app.get<{ Params: { job: number } }>('/api/lists/refresh/:job', {
    schema: { tags: ['lists'], summary: 'Progress of a refresh', params: JobParams, response: { 200: RefreshJob, ...ERRORS } },
  }, async (req) => {
    const job = jobs.get(req.params.job);
    if (!job) throw notFound(`refresh ${req.params.job}`);
    return job;
  });
};
