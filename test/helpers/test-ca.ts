import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';

// A private certificate authority made with the openssl CLI, and server certificates it signs:
// the TLS tests check chains the way a phone would, against a CA it was given.

export interface TestCa {
  certPath: string;
  keyPath: string;
  /** signs a server certificate for `names` (DNS names, and 127.0.0.1) into certFile/keyFile, replacing them atomically */
  issue(names: string[], certFile: string, keyFile: string): { serial: string };
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

export function makeTestCa(dir: string, name = 'ca'): TestCa {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '2', '-subj', `/CN=Nestguard test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  let n = 0;
  return {
    certPath,
    keyPath,
    issue(names, certFile, keyFile) {
      const base = join(dir, `${name}-leaf-${++n}`);
      const ext = `${base}.ext`;
      execFileSync('sh', ['-c', `printf 'subjectAltName=%s\\nextendedKeyUsage=serverAuth\\n' "$1" > "$2"`, 'sh', [...names.map((d) => `DNS:${d}`), 'IP:127.0.0.1'].join(','), ext]);
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${names[0]}`]);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', certPath, '-CAkey', keyPath, '-CAcreateserial', '-out', `${base}.pem`, '-days', '2', '-extfile', ext]);
      const serial = execFileSync('openssl', ['x509', '-in', `${base}.pem`, '-noout', '-serial']).toString().trim().replace(/^serial=/, '').toUpperCase();
      // as an ACME client does: the new files replace the old ones whole
      renameSync(`${base}.key`, keyFile);
      renameSync(`${base}.pem`, certFile);
      return { serial };
    },
  };
}
