import { Type, type Static, type TSchema } from '@sinclair/typebox';

// Shapes shared by every resource. These files import nothing but TypeBox, so the console can
// import their types (`import type`) without pulling server code into the browser bundle.

export const Problem = Type.Object({
  field: Type.String({ description: 'path of the field at fault, e.g. "cidrs[1]"' }),
  message: Type.String(),
});

/** The one error shape of every 4xx and 5xx answer. */
export const ApiErrorBody = Type.Object(
  {
    error: Type.String({ description: 'short code: invalid, unauthorized, forbidden, csrf, not-found, conflict, managed-by-config, in-use, rate-limited, too-large, internal' }),
    message: Type.String({ description: 'plain words for a person' }),
    field: Type.Optional(Type.String({ description: 'path of the field at fault, when one is' })),
    problems: Type.Optional(Type.Array(Problem, { description: 'every problem found, when there are several' })),
  },
  { $id: 'ApiError' },
);

/** Who declared an object: the config file (read-only through the API) or the API itself. */
export const Managed = Type.Union([Type.Literal('config'), Type.Literal('api')], {
  description: '"config": declared in the configuration file, read-only through the API (409 on a change)',
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const Timestamp = Type.String({ description: 'ISO 8601, UTC' });

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Error responses every authenticated route can give. */
export const ERRORS = {
  400: Type.Ref('ApiError'),
  401: Type.Ref('ApiError'),
  403: Type.Ref('ApiError'),
  404: Type.Ref('ApiError'),
  409: Type.Ref('ApiError'),
  429: Type.Ref('ApiError'),
  500: Type.Ref('ApiError'),
} as const;

export const Page = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

export type ApiErrorBody = Static<typeof ApiErrorBody>;
export type ProblemT = Static<typeof Problem>;
export type ManagedT = Static<typeof Managed>;
