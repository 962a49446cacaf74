import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query, type DigRecord, type DigResult, type QueryArgs } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startUnboundForwarder, type UnboundForwarder } from '../helpers/unbound-forwarder.js';

// Nestguard and Unbound, both forwarding to the same NSD zone, are asked the same questions;
// a caching recursive service should answer them alike (rcode, header flags, sections). Each
// question is asked twice, so the second answer comes from each one's cache. Only the
// differences listed in `comparable` are ignored, each for the reason given there.

let nsd: AuthUpstream;
let ng: Nestguard;
let unbound: UnboundForwarder;

beforeAll(async () => {
  nsd = await startAuthUpstream();
  ng = await startNestguard({ upstreamPort: nsd.port, ipv6: false, config: { cache: { prefetch: false } } });
  unbound = await startUnboundForwarder(nsd.port, ZONE);
});

afterAll(async () => {
  await ng?.stop();
  await unbound?.stop();
  await nsd?.stop();
});

const DNSSEC_TYPES = new Set(['RRSIG', 'NSEC', 'NSEC3', 'DNSKEY', 'DS']);

function records(rs: DigRecord[], withDnssec: boolean): string[] {
  // TTL values are left out: both age them from when each fetched the answer, so they
  // differ by whole seconds from run to run (ttl-bounds assertions live in their own tests)
  return rs.filter((r) => withDnssec || !DNSSEC_TYPES.has(r.type)).map((r) => `${r.name} ${r.type} ${r.rdataHex}`).sort();
}

/** The parts of an answer that must agree, with the differences that may legitimately exist taken out. */
function comparable(r: DigResult, q: QueryArgs): Record<string, unknown> {
  const negative = r.rcode === 'NXDOMAIN' || (r.rcode === 'NOERROR' && !r.answer.some((a) => a.type === (q.type ?? 'A')));
  return {
    rcode: r.rcode,
    flags: r.flags,
    answer: records(r.answer, q.dnssec === true),
    // Authority and additional sections of positive answers: Unbound applies
    // `minimal-responses` (drops NSD's NS and glue records); Nestguard relays the upstream's
    // sections as they are (it never re-encodes an upstream answer). Both are valid
    // (RFC 2181 / RFC 4472 3.4); negative answers must carry the same SOA in both.
    authority: negative ? records(r.authority, q.dnssec === true) : null,
    // EDNS: both answer with an OPT exactly when asked with one, with the DO bit echoed;
    // the advertised UDP size is each server's own setting (Unbound 1232, Nestguard 1232)
    edns: r.edns === null ? null : { do: r.edns.do, version: r.edns.version },
  };
}

const W = RECORDS.wildcard.suffix;
const questions: QueryArgs[] = [
  { port: 0, name: RECORDS.a.name, type: 'A' },
  { port: 0, name: RECORDS.aaaa.name, type: 'AAAA' },
  { port: 0, name: RECORDS.dual.name, type: 'AAAA', edns: false },
  { port: 0, name: RECORDS.cname.chain[0], type: 'A' },
  { port: 0, name: RECORDS.cname.chain[0], type: 'CNAME' },
  // NODATA at the end of a CNAME chain
  { port: 0, name: RECORDS.cname.chain[0], type: 'AAAA' },
  { port: 0, name: RECORDS.cname.chain[1], type: 'TXT' },
  { port: 0, name: RECORDS.mx.name, type: 'MX' },
  { port: 0, name: RECORDS.txt.name, type: 'TXT' },
  { port: 0, name: RECORDS.srv.name, type: 'SRV' },
  { port: 0, name: RECORDS.https.name, type: 'HTTPS' },
  { port: 0, name: RECORDS.unknown.name, type: RECORDS.unknown.type },
  { port: 0, name: RECORDS.onlyA.name, type: 'AAAA' },
  { port: 0, name: RECORDS.missing.name, type: 'A' },
  { port: 0, name: `deeper.${RECORDS.missing.name}`, type: 'MX', edns: false },
  { port: 0, name: `x7.${W}`, type: 'A' },
  { port: 0, name: ZONE, type: 'SOA' },
  { port: 0, name: ZONE, type: 'NS' },
  { port: 0, name: RECORDS.signed.name, type: 'A', dnssec: true },
  // truncation over UDP: too big for 512 (no EDNS) and for 1232 bytes
  { port: 0, name: RECORDS.bigTxt.name, type: 'TXT', edns: false, ignoreTc: true },
  { port: 0, name: RECORDS.bigTxt.name, type: 'TXT', bufsize: 1232, ignoreTc: true },
  { port: 0, name: RECORDS.bigTxt.name, type: 'TXT', tcp: true },
  { port: 0, name: RECORDS.cname.chain[0], type: 'A', tcp: true },
  { port: 0, name: RECORDS.missing.name, type: 'AAAA', tcp: true },
  // checking disabled: echoed by both
  { port: 0, name: RECORDS.dual.name, type: 'A', extra: ['+cdflag'] },
];

function label(q: QueryArgs): string {
  const how = [q.tcp ? 'tcp' : 'udp', q.edns === false ? 'no-edns' : 'edns', q.dnssec ? 'do' : '', q.bufsize ? `bufsize=${q.bufsize}` : '', ...(q.extra ?? [])].filter(Boolean).join(' ');
  return `${q.name} ${q.type} (${how})`;
}

describe('Nestguard answers like Unbound, both forwarding to the same zone', () => {
  for (const q of questions) {
    it(label(q), async () => {
      for (const pass of ['fresh', 'cached']) {
        const [mine, ref] = await Promise.all([query({ ...q, port: ng.dnsPort }), query({ ...q, port: unbound.port })]);
        expect(comparable(mine, q), `${pass} answer`).toEqual(comparable(ref, q));
        // TTLs are not compared (each ages its own copy, and Unbound may answer from an entry
        // cached by an earlier question), but a negative answer's SOA is served, by both, with
        // no more than the zone's negative TTL (RFC 2308 5: min(SOA TTL 300, MINIMUM 60))
        const soaTtl = (r: DigResult) => r.authority.find((a) => a.type === 'SOA')?.ttl;
        if (soaTtl(ref) !== undefined) expect(soaTtl(mine)).toBeLessThanOrEqual(RECORDS.soa.minimum);
      }
    });
  }
});
