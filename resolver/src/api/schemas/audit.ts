import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  admin_id: Nullable(Type.Integer()),
  username: Type.String({ description: 'the admin account (never a DNS client)' }),
  action: Type.String({ description: 'e.g. network.update, policy.rules.add, report.accept, admin.create' }),
  target_type: Type.String(),
  target_id: Nullable(Type.String()),
  target_name: Nullable(Type.String()),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

export const AuditQuery = Type.Object({
  username: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  target_type: Type.Optional(Type.String({ maxLength: 32 })),
  target_id: Type.Optional(Type.String({ maxLength: 32 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

export const AuditPage = Type.Object({ total: Type.Integer(), entries: Type.Array(AuditEntry) });

export type AuditQueryT = Static<typeof AuditQuery>;
export type AuditEntryT = Static<typeof AuditEntry>;
export type AuditPageT = Static<typeof AuditPage>;
