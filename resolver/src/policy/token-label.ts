import { TOKEN_LABEL_PATTERN } from '../config/config-schema.js';

// A network token travels over DoT as the first label of the server name, which TLS clients
// send lower-cased (host names are case-insensitive), and over DoH as a path segment, which
// is case-sensitive. Tokens made by Nestguard are lower-case labels already; an older
// `doh_token` from a config file may not be.

const LABEL = new RegExp(TOKEN_LABEL_PATTERN);

/** The token as DoT carries it (lower-cased), or null when no server name label can carry it. */
export function tokenAsDnsLabel(token: string): string | null {
  const lower = token.toLowerCase();
  return LABEL.test(lower) ? lower : null;
}
