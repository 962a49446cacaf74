import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './common.js';

const Cell = Type.Object({ value: Nullable(Type.Integer()), suppressed: Type.Boolean(), display: Type.String({ description: 'the count, or "<k" when small' }) });
const Total = Type.Object({ value: Type.Integer(), partial: Type.Boolean(), display: Type.String({ description: '"n", or "≥ n" when some cells were suppressed' }) });
const Bucket = Type.Object({ key: Type.Integer(), startMs: Type.Number(), label: Type.String() });
const Row = Type.Object({ networkId: Nullable(Type.Integer()), key: Nullable(Type.String()), cells: Type.Array(Cell), total: Total });

const IsoDay = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD (UTC)' });
const NetworkIds = Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 1000, description: 'network ids (repeat the parameter); all you may see when absent' });

export const StatsQuery = Type.Object({
  from: Type.String({ format: 'date-time', description: 'range start, ISO 8601' }),
  to: Type.String({ format: 'date-time', description: 'range end (exclusive), ISO 8601' }),
  granularity: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' })),
  network: Type.Optional(NetworkIds),
  by_network: Type.Optional(Type.Boolean({ default: false })),
});

export const StatsBody = Type.Object({
  buckets: Type.Array(Bucket),
  /** blocked queries by category (and network, with by_network) */
  blocked: Type.Object({ rows: Type.Array(Row), bucketTotals: Type.Array(Total), total: Total }),
  /** blocked queries by service of GET /api/services (every service has a row; the category view counts them as "_service") */
  services: Type.Object({ rows: Type.Array(Row), bucketTotals: Type.Array(Total), total: Total }),
  /** query counters: total, blocked, rewritten, cache_hits, upstream_errors, refused */
  counters: Type.Array(Row),
  networks: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  suppress_below: Type.Integer(),
});

export const ExportQuery = Type.Object({
  from: IsoDay,
  to: IsoDay,
  network: Type.Optional(NetworkIds),
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('html')], { default: 'html' })),
  lang: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')], { default: 'vi' })),
});

export const ExplainQuery = Type.Object({
  network: Type.Integer({ minimum: 1 }),
  name: Type.String({ minLength: 1, maxLength: 253 }),
});

export const ExplainBody = Type.Object({
  action: Type.Union([Type.Literal('allow'), Type.Literal('block'), Type.Literal('rewrite')]),
  network: Type.String(),
  policy: Type.String(),
  category: Type.Optional(Type.String()),
  service: Type.Optional(Type.Object({ id: Type.String(), name: Type.Object({ en: Type.String(), vi: Type.String() }), group: Type.String() }, { description: 'the app of GET /api/services that blocked it (or lists it)' })),
  summary: Type.Optional(Type.String({ description: 'one line for people: "blocked: TikTok, schedule \'lessons\'"' })),
  rule: Type.Optional(Type.Object({ text: Type.String(), source: Type.String(), line: Type.Optional(Type.Integer()) })),
  schedule: Type.Optional(Type.String()),
  safeSearch: Type.Optional(Type.Object({ engine: Type.String(), target: Type.String() })),
  detail: Type.String(),
  /** every line of the live lists that matches the name, with its source and line number */
  matches: Type.Array(Type.Object({ source: Type.String(), category: Type.String(), line: Type.Integer(), text: Type.String(), kind: Type.Union([Type.Literal('block'), Type.Literal('allow')]) })),
});

export type StatsQueryT = Static<typeof StatsQuery>;
export type StatsBodyT = Static<typeof StatsBody>;
export type ExportQueryT = Static<typeof ExportQuery>;
export type ExplainQueryT = Static<typeof ExplainQuery>;
export type ExplainBodyT = Static<typeof ExplainBody>;
