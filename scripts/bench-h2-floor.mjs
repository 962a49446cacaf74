// The floor of DoH in Node: an HTTP/2 server (TLS, Node's core stream API) that answers every
// request with one fixed DNS message and does nothing else. The bench runs it beside
// Nestguard's DoH rows, so their CPU per query can be read as Node's HTTP/2 cost plus
// Nestguard's own.
//
// Usage: node scripts/bench-h2-floor.mjs PORT CERT KEY
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

const [port, cert, key] = process.argv.slice(2);
if (!port || !cert || !key) {
  console.error('usage: node scripts/bench-h2-floor.mjs PORT CERT KEY');
  process.exit(2);
}
// a NOERROR answer: one A record for the question "a.bench.test"
const answer = Buffer.from('00008180000100010000000001610562656e636804746573740000010001c00c000100010000012c00040a000001', 'hex');
const server = http2.createSecureServer({ cert: readFileSync(cert), key: readFileSync(key) });
server.on('stream', (stream) => {
  stream.on('error', () => undefined);
  stream.respond({ ':status': 200, 'content-type': 'application/dns-message', 'cache-control': 'max-age=300', 'content-length': answer.length });
  stream.end(answer);
});
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
