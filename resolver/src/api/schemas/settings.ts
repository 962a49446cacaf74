import { Type, type Static } from '@sinclair/typebox';
import { ConfigSchema } from '../../config/config-schema.js';

const CacheSettings = ConfigSchema.properties.cache;

export const Settings = Type.Object({
  upstreams: Type.Array(Type.String(), { description: 'udp://, tcp://, tls://host:853#name, https://…/dns-query' }),
  cache: CacheSettings,
  /** which values come from the API (stored) rather than the configuration file */
  from_api: Type.Object({ upstreams: Type.Boolean(), cache: Type.Boolean() }),
});

export const SettingsBody = Type.Object(
  {
    upstreams: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 20 })),
    cache: Type.Optional(Type.Partial(CacheSettings, { additionalProperties: false })),
    /** forget the API's values and use the configuration file's again */
    reset: Type.Optional(Type.Array(Type.Union([Type.Literal('upstreams'), Type.Literal('cache')]))),
  },
  { additionalProperties: false, minProperties: 1 },
);

export type SettingsT = Static<typeof Settings>;
export type SettingsBodyT = Static<typeof SettingsBody>;
