import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

export const ReportKind = Type.Union([Type.Literal('harmful'), Type.Literal('wrongly-blocked')]);
export const ReportStatus = Type.Union([Type.Literal('open'), Type.Literal('accepted'), Type.Literal('rejected')]);

/** The public channel asks for no personal data: a domain, what is wrong with it, and optional words. */
export const ReportSubmitBody = Type.Object(
  {
    domain: Type.String({ minLength: 1, maxLength: 253, description: 'the site, e.g. bad.example.org' }),
    kind: ReportKind,
    message: Type.Optional(Type.String({ maxLength: 1000, description: 'optional; please do not write names, addresses or phone numbers' })),
  },
  { additionalProperties: false },
);

export const ReportReceived = Type.Object({ status: Type.Literal('received'), message: Type.String() });

export const Report = Type.Object({
  id: Type.Integer(),
  domain: Type.String(),
  kind: ReportKind,
  message: Type.String(),
  network: Nullable(Type.String({ description: 'the network it was sent from, when any' })),
  network_id: Nullable(Type.Integer()),
  status: ReportStatus,
  created_at: Timestamp,
  resolved_at: Nullable(Timestamp),
  resolved_by: Nullable(Type.String()),
  policy_id: Nullable(Type.Integer()),
});

export const ReportQuery = Type.Object({
  status: Type.Optional(ReportStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

export const ReportPage = Type.Object({ total: Type.Integer(), reports: Type.Array(Report) });

export const AcceptBody = Type.Object(
  { policy: Type.Integer({ minimum: 1, description: 'the policy that gets the deny (harmful) or allow (wrongly-blocked) rule' }) },
  { additionalProperties: false },
);

export const AcceptResult = Type.Object({ report: Report, rule: Type.Object({ action: Type.Union([Type.Literal('deny'), Type.Literal('allow')]), text: Type.String(), added: Type.Boolean() }) });

export type ReportSubmitBodyT = Static<typeof ReportSubmitBody>;
export type ReportT = Static<typeof Report>;
export type ReportQueryT = Static<typeof ReportQuery>;
export type ReportPageT = Static<typeof ReportPage>;
export type AcceptBodyT = Static<typeof AcceptBody>;
export type AcceptResultT = Static<typeof AcceptResult>;
