import { randomBytes } from 'node:crypto';

/** A new DoH/DoT network token: 144 random bits, URL- and label-safe (matches the config's doh_token pattern). */
export function newNetworkToken(): string {
  return randomBytes(18).toString('base64url');
}
