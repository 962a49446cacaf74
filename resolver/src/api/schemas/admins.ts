import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './common.js';
import { Password, Role, Username } from './session.js';

export const NetworkNames = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  maxItems: 10_000,
  description: 'names of the networks this admin is assigned (network-admin: the ones they manage; viewer: the ones they see, none = all)',
});

export const Admin = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  networks: Type.Array(Type.String()),
  sessions: Type.Integer({ description: 'open sessions' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const AdminCreateBody = Type.Object(
  { username: Username, password: Password, role: Role, networks: Type.Optional(NetworkNames) },
  { additionalProperties: false },
);

export const AdminUpdateBody = Type.Object(
  { role: Type.Optional(Role), networks: Type.Optional(NetworkNames), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);

export const AdminList = Type.Array(Admin);

export type AdminT = Static<typeof Admin>;
export type AdminCreateBodyT = Static<typeof AdminCreateBody>;
export type AdminUpdateBodyT = Static<typeof AdminUpdateBody>;
