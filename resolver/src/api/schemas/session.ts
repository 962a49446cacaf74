import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './common.js';

export const Role = Type.Union([Type.Literal('owner'), Type.Literal('network-admin'), Type.Literal('viewer')]);

/** letters, digits and . _ @ -, starting with a letter or digit */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$';
export const Username = Type.String({ minLength: 1, maxLength: 64, pattern: USERNAME_PATTERN });
export const PASSWORD_MIN = 10;
export const Password = Type.String({ minLength: PASSWORD_MIN, maxLength: 256, description: `at least ${PASSWORD_MIN} characters` });

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const SessionUser = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  /** assigned network names (empty for owners; for viewers, empty means all) */
  networks: Type.Array(Type.String()),
});

export const SessionBody = Type.Object({
  csrfToken: Type.String({ description: 'send as the x-csrf-token header on every POST, PUT, PATCH and DELETE' }),
  user: SessionUser,
  idleTimeoutS: Type.Integer({ description: 'the session ends after this long without a request' }),
});

export const PasswordChangeBody = Type.Object(
  { current_password: Type.String({ minLength: 1, maxLength: 256 }), new_password: Password },
  { additionalProperties: false },
);

export const SessionInfo = Type.Object({
  id: Type.String({ description: 'opaque session id (not the cookie)' }),
  created_at: Timestamp,
  last_seen_at: Timestamp,
  current: Type.Boolean(),
});

export type RoleT = Static<typeof Role>;
export type LoginBodyT = Static<typeof LoginBody>;
export type SessionBodyT = Static<typeof SessionBody>;
export type SessionUserT = Static<typeof SessionUser>;
export type PasswordChangeBodyT = Static<typeof PasswordChangeBody>;
export type SessionInfoT = Static<typeof SessionInfo>;
