import { Type, type Static } from '@sinclair/typebox';
import { PolicySchema, ScheduleSchema } from '../../config/config-schema.js';
import { Managed, Problem, Timestamp } from './common.js';

// A policy is written in the config file's shape (config/config-schema.ts, TypeBox only), so
// the file, the API and the console share one model.

export const PolicyBody = PolicySchema;

export const PolicyUpdateBody = Type.Partial(PolicySchema, { additionalProperties: false, minProperties: 1 });

export const Policy = Type.Composite([
  Type.Omit(PolicySchema, ['schedules']),
  Type.Object({
    id: Type.Integer(),
    description: Type.String(),
    block: Type.Array(Type.String()),
    services: Type.Array(Type.String(), { description: 'service and group ids of GET /api/services blocked always' }),
    deny: Type.Array(Type.String()),
    allow: Type.Array(Type.String()),
    schedules: Type.Array(Type.Composite([ScheduleSchema, Type.Object({ id: Type.Integer() })])),
    networks: Type.Array(Type.String(), { description: 'names of the networks using this policy' }),
    managed: Managed,
    warnings: Type.Array(Problem, { description: 'accepted but not enforced (e.g. a safe-search engine without a DNS endpoint)' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
]);

export const PolicyList = Type.Array(Policy);

export const RulesBody = Type.Object(
  {
    action: Type.Union([Type.Literal('deny'), Type.Literal('allow')]),
    rules: Type.String({ maxLength: 1_000_000, description: 'one rule per line; blank lines and lines starting with # are skipped' }),
    replace: Type.Optional(Type.Boolean({ description: 'replace the policy\'s rules of this action instead of appending', default: false })),
    dry_run: Type.Optional(Type.Boolean({ description: 'validate only', default: false })),
  },
  { additionalProperties: false },
);

export const RulesResult = Type.Object({
  added: Type.Integer(),
  duplicates: Type.Integer(),
  /** every invalid line, 1-based, when there is any (the request then changes nothing) */
  invalid: Type.Array(Type.Object({ line: Type.Integer(), text: Type.String(), reason: Type.String() })),
  policy: Policy,
});

export type PolicyBodyT = Static<typeof PolicyBody>;
export type PolicyUpdateBodyT = Static<typeof PolicyUpdateBody>;
export type PolicyT = Static<typeof Policy>;
export type RulesBodyT = Static<typeof RulesBody>;
export type RulesResultT = Static<typeof RulesResult>;
