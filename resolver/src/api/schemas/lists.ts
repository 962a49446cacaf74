import { Type, type Static } from '@sinclair/typebox';
import { BlocklistSourceSchema, ListFormat } from '../../config/config-schema.js';
import { Nullable, Timestamp } from './common.js';

export const ListOrigin = Type.Union([Type.Literal('config'), Type.Literal('bundled'), Type.Literal('api')], {
  description: '"config": the configuration file; "bundled": the shipped offline set; both read-only through the API',
});

export const ListSource = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  category: Type.String(),
  source: Type.String(),
  format: ListFormat,
  enabled: Type.Boolean(),
  refresh_hours: Nullable(Type.Number()),
  description: Nullable(Type.String()),
  license: Nullable(Type.String()),
  managed: ListOrigin,
  live: Type.Boolean({ description: 'part of the snapshot serving now' }),
  last_attempt_at: Nullable(Timestamp),
  last_success_at: Nullable(Timestamp),
  last_error: Nullable(Type.String()),
  next_refresh_at: Nullable(Timestamp),
  content_bytes: Nullable(Type.Integer()),
  detected_format: Nullable(Type.String()),
  entries: Type.Object({ block: Type.Integer(), allow: Type.Integer(), important: Type.Integer(), regex: Type.Integer() }),
  regex_over_cap: Type.Integer(),
  skipped: Type.Integer(),
  invalid: Type.Integer(),
  invalid_sample: Type.Array(Type.Object({ line: Type.Integer(), text: Type.String(), reason: Type.String() })),
});

const Url = Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://', description: 'an http(s) URL (files on the server are declared in the configuration file)' });

export const ListCreateBody = Type.Composite([
  Type.Omit(BlocklistSourceSchema, ['source']),
  Type.Object({ source: Url }),
], { additionalProperties: false });

export const ListUpdateBody = Type.Partial(ListCreateBody, { additionalProperties: false, minProperties: 1 });

export const CatalogEntry = Type.Object({
  name: Type.String(),
  category: Type.String(),
  url: Type.String(),
  format: ListFormat,
  license: Type.String(),
  homepage: Type.String(),
  description: Type.String(),
  /** the source made from this entry, when enabled */
  source_id: Nullable(Type.Integer()),
});

export const CatalogParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });

export const RefreshBody = Type.Object(
  { source: Type.Optional(Type.Integer({ minimum: 1, description: 'one source id; all enabled sources when absent' })) },
  { additionalProperties: false },
);

export const RefreshJob = Type.Object({
  id: Type.Integer(),
  state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  phase: Type.Union([Type.Literal('queued'), Type.Literal('fetching'), Type.Literal('compiling'), Type.Literal('done')]),
  total: Type.Integer(),
  fetched: Type.Integer(),
  started_at: Timestamp,
  finished_at: Nullable(Timestamp),
  error: Nullable(Type.String()),
});

export const JobParams = Type.Object({ job: Type.Integer({ minimum: 1 }) });

export type ListSourceT = Static<typeof ListSource>;
export type ListCreateBodyT = Static<typeof ListCreateBody>;
export type ListUpdateBodyT = Static<typeof ListUpdateBody>;
export type CatalogEntryT = Static<typeof CatalogEntry>;
export type RefreshBodyT = Static<typeof RefreshBody>;
export type RefreshJobT = Static<typeof RefreshJob>;
