import type { TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { didYouMean } from './nearest-word.js';

// The schema's findings in an operator's words: what is allowed instead of "Expected union
// value", the expected form (from the schema's `description`) instead of a regular expression.

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function literals(schema: TSchema): unknown[] | undefined {
  const options = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!options || !options.every((o) => 'const' in o)) return undefined;
  return options.map((o) => (o as unknown as { const: unknown }).const);
}

const TYPE_NAMES: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.Integer]: 'a whole number',
  [ValueErrorType.Number]: 'a number',
  [ValueErrorType.String]: 'a text (string)',
  [ValueErrorType.Boolean]: 'true or false',
  [ValueErrorType.Array]: 'a list',
  [ValueErrorType.Object]: 'a mapping (key: value)',
};

/** `value` written as IPv6 without brackets: the bracketed form it should have been. */
function bracketedIpv6(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.startsWith('[')) return undefined;
  const i = value.lastIndexOf(':');
  if (value.indexOf(':') === i) return undefined;
  return `[${value.slice(0, i)}]${value.slice(i)}`;
}

export function schemaMessage(e: ValueError): string {
  const s = e.schema as TSchema & Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.Union: {
      const allowed = literals(s);
      if (!allowed) return `${show(e.value)} is not allowed here`;
      const words = allowed.filter((a): a is string => typeof a === 'string');
      const hint = typeof e.value === 'string' ? didYouMean(e.value, words) : '';
      return `${show(e.value)} is not allowed; use one of: ${allowed.map(String).join(', ')}${hint}`;
    }
    case ValueErrorType.StringPattern: {
      const expected = typeof s.description === 'string' ? s.description : `text matching ${String(s.pattern)}`;
      const v6 = s['x-form'] === 'host-port' ? bracketedIpv6(e.value) : undefined;
      return `${show(e.value)} is not ${expected}${v6 ? `; an IPv6 address goes in brackets: ${v6}` : ''}`;
    }
    case ValueErrorType.ObjectAdditionalProperties: {
      const key = e.path.split('/').pop() ?? '';
      const known = Object.keys((s.properties as object | undefined) ?? {});
      return `unknown key "${key}"${didYouMean(key, known)}${known.length ? `; known keys: ${known.join(', ')}` : ''}`;
    }
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `${show(e.value)} is too small; the least allowed is ${String(s.minimum)}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `${show(e.value)} is too large; the most allowed is ${String(s.maximum)}`;
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must not be empty' : `must be at least ${String(s.minLength)} characters long`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(s.maxLength)} characters long`;
    case ValueErrorType.ArrayMinItems:
      return `needs at least ${String(s.minItems)} item(s)`;
    default: {
      const want = TYPE_NAMES[e.type];
      return want ? `expected ${want}, got ${show(e.value)}` : e.message;
    }
  }
}
