import { readFileSync } from 'node:fs';
import tls from 'node:tls';

/**
 * The roots DoT/DoH upstreams are verified against: Node's own, plus the operator's extra CA
 * bundle when configured (a private resolver with an internal CA). undefined = Node's default.
 */
export function tlsRoots(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined;
  let extra: string;
  try {
    extra = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new Error(`upstream: cannot read tls_ca_file "${caFile}": ${(err as Error).message}`);
  }
  return [...tls.rootCertificates, extra];
}
