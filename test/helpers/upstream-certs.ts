import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
}

/**
 * A self-signed certificate for `dot.test`, and for 127.0.0.1 too unless `nameOnly`, made
 * with the openssl CLI in `dir`.
 */
export function makeTestCert(dir: string, nameOnly = false): TestCert {
  const base = join(dir, nameOnly ? 'dot.test-name-only' : 'dot.test');
  const keyPath = `${base}.key`;
  const certPath = `${base}.pem`;
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=dot.test',
    '-addext', nameOnly ? 'subjectAltName=DNS:dot.test' : 'subjectAltName=DNS:dot.test,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { keyPath, certPath, key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}
