// Container healthcheck: asks the running server's /health over loopback and exits 0 when it
// answers. Reads the same NESTGUARD_HTTP_LISTEN the server does, so the two never disagree.

const listen = process.env.NESTGUARD_HTTP_LISTEN ?? '127.0.0.1:8080';
const m = /^(?:\[(.+)\]|([^:]+)):(\d+)$/.exec(listen);
if (!m) {
  process.stderr.write(`healthcheck: cannot read NESTGUARD_HTTP_LISTEN "${listen}"\n`);
  process.exit(1);
}
let host = m[1] ?? m[2];
// a wildcard bind is reached over loopback
if (host === '0.0.0.0') host = '127.0.0.1';
if (host === '::') host = '::1';
const url = `http://${host.includes(':') ? `[${host}]` : host}:${m[3]}/health`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  const body = (await res.json()) as { status?: string };
  process.stdout.write(`healthcheck: ${res.status} ${body.status ?? ''}\n`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`healthcheck: ${(err as Error).message}\n`);
  process.exit(1);
}
