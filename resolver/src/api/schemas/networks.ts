import { Type, type Static } from '@sinclair/typebox';
import { Managed, Nullable, Timestamp } from './common.js';

export const NetworkKind = Type.Union(['school', 'home', 'isp', 'other'].map((k) => Type.Literal(k)));

const Cidrs = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10_000, description: 'IPv4/IPv6 CIDRs or single addresses' });

export const Network = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: NetworkKind,
  cidrs: Type.Array(Type.String()),
  timezone: Type.String(),
  contact: Type.String(),
  policy: Type.String({ description: 'policy name' }),
  policy_id: Type.Integer(),
  token: Nullable(Type.String({ description: 'identifies the network to DoH (and DoT) clients away from its address ranges' })),
  doh_url: Nullable(Type.String({ description: 'the DoH URL that carries the token' })),
  dot_hostname: Nullable(Type.String({ description: 'the DoT server name that carries the token ({token}.{tls.server_name}); null without DoT' })),
  managed: Managed,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const NetworkCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Optional(NetworkKind),
    cidrs: Type.Optional(Cidrs),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    contact: Type.Optional(Type.String({ maxLength: 500 })),
    policy: Type.String({ minLength: 1, maxLength: 100, description: 'policy name' }),
  },
  { additionalProperties: false },
);

export const NetworkUpdateBody = Type.Partial(NetworkCreateBody, { additionalProperties: false, minProperties: 1 });

export const NetworkList = Type.Array(Network);

export type NetworkT = Static<typeof Network>;
export type NetworkCreateBodyT = Static<typeof NetworkCreateBody>;
export type NetworkUpdateBodyT = Static<typeof NetworkUpdateBody>;
