import { domainToASCII } from 'node:url';
import { RuleScope, type RuleAction, type RuleSink } from './rule-types.js';

// Normalisation shared by every parser: what ends up hashed must be byte-for-byte what the
// query path sees after lower-casing, or a rule silently never matches.

const MAX_NAME = 253;

function validAscii(name: string): string | null {
  if (name.length === 0 || name.length > MAX_NAME) return 'bad length';
  let labelLen = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      if (labelLen === 0) return 'empty label';
      labelLen = 0;
      continue;
    }
    // letters, digits, hyphen and underscore: underscores are common in real lists (SRV-like
    // tracking hosts) and resolvers serve them, so refusing them would drop real entries
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
    if (!ok) return `bad character "${name[i]}"`;
    if (++labelLen > 63) return 'label longer than 63';
  }
  if (labelLen === 0) return 'empty label';
  return null;
}

/**
 * Lower-cased ASCII form of a domain name (IDN to punycode, trailing dot removed), or an
 * error reason. Wildcards are not names: callers strip `*.` first.
 */
export function normalizeName(raw: string): { name: string } | { error: string } {
  let name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  name = name.toLowerCase();
  let ascii = true;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7e) { ascii = false; break; }
  if (!ascii) {
    const converted = domainToASCII(name);
    if (!converted) return { error: 'invalid internationalised name' };
    name = converted;
  }
  const err = validAscii(name);
  return err ? { error: err } : { name };
}

/** True for the strings parsers see in place of a name that are really addresses. */
export function looksLikeIp(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9a-f:.%a-z]+$/i.test(s));
}

/**
 * Reports one name token to the sink: `*.name` narrows the scope to subdomains, anything
 * unusable is an invalid line. Shared by every parser so `*.` means the same everywhere.
 */
export function emitName(token: string, action: RuleAction, scope: RuleScope, line: number, text: string, sink: RuleSink): void {
  let raw = token;
  if (raw.startsWith('*.')) {
    raw = raw.slice(2);
    scope = RuleScope.Sub;
  }
  if (raw.includes('*')) {
    sink.invalid(line, text, 'wildcard only allowed as a leading "*."');
    return;
  }
  const n = normalizeName(raw);
  if ('error' in n) sink.invalid(line, text, `invalid name: ${n.error}`);
  else sink.name(n.name, action, scope, line);
}
