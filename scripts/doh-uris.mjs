// DoH GET request paths for a dnsperf query file ("name TYPE" per line), for the bench's DoH
// rows: h2load cycles through them, so the DoH workload asks the same names as the others.
// RFC 8484 4.1: the message ID is 0, so identical questions make identical URLs.
//
// Usage: node scripts/doh-uris.mjs QUERY_FILE URL_PREFIX > uris.txt
//   e.g. node scripts/doh-uris.mjs /tmp/peerbench/data/hit.txt https://127.0.0.1:15394/dns-query
import { readFileSync } from 'node:fs';

const TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, SRV: 33, HTTPS: 65 };

const [file, prefix] = process.argv.slice(2);
if (!file || !prefix) {
  console.error('usage: node scripts/doh-uris.mjs QUERY_FILE URL_PREFIX');
  process.exit(2);
}
const out = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const [name, type = 'A'] = line.trim().split(/\s+/);
  if (!name) continue;
  const labels = name.replace(/\.$/, '').split('.');
  const q = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 0) + 5);
  q.writeUInt16BE(0x0100, 2); // RD
  q.writeUInt16BE(1, 4); // QDCOUNT
  let o = 12;
  for (const l of labels) {
    q[o++] = l.length;
    o += q.write(l, o, 'ascii');
  }
  q[o++] = 0;
  q.writeUInt16BE(TYPES[type.toUpperCase()] ?? 1, o);
  q.writeUInt16BE(1, o + 2); // IN
  out.push(`${prefix}?dns=${q.toString('base64url')}`);
}
process.stdout.write(out.join('\n') + '\n');
