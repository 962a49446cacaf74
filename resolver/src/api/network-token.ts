import { randomBytes } from 'node:crypto';

/**
 * A new DoH/DoT network token: 128 random bits as 32 lower-case hex digits, so it is a DNS
 * label ({token}.{server_name} over DoT) and a URL path segment (/dns-query/{token}) alike.
 */
export function newNetworkToken(): string {
  return randomBytes(16).toString('hex');
}
