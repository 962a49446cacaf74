import { execFile } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';

// kdig (Knot DNS 3.2) is the reference client: an independent, strict implementation whose
// verdict on our answers is worth more than our own parser's. Its `+json` output (RFC 8427)
// is read instead of the text form, so parsing never depends on column layout.

export const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
  6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADVERS',
};

export interface DigRecord {
  /** owner name, lower-case, without the trailing dot */
  name: string;
  ttl: number;
  /** mnemonic ("A", "TXT", "TYPE65280") */
  type: string;
  typeCode: number;
  class: number;
  /** presentation form as kdig prints it */
  data: string;
  /** RDATA bytes as upper-case hex */
  rdataHex: string;
}

export interface DigResult {
  id: number;
  opcode: number;
  /** full RCODE: header bits combined with the OPT extended bits */
  rcodeCode: number;
  rcode: string;
  flags: { qr: boolean; aa: boolean; tc: boolean; rd: boolean; ra: boolean; ad: boolean; cd: boolean };
  question: { name: string; type: string } | null;
  answer: DigRecord[];
  authority: DigRecord[];
  /** additional section without the OPT pseudo-record */
  additional: DigRecord[];
  edns: { udpSize: number; do: boolean; version: number; options: { code: number; hex: string }[] } | null;
  /** RFC 8914 Extended DNS Errors found in the OPT record */
  ede: { code: number; text: string }[];
  msgLength: number;
}

export class DigError extends Error {
  constructor(message: string, readonly stdout: string, readonly stderr: string) {
    super(message);
  }
}

export interface DigOptions {
  /** kill kdig after this long (default: 5000 ms) */
  timeoutMs?: number;
}

type JsonRr = Record<string, unknown> & { NAME: string; TYPE: number; TYPEname?: string; CLASS: number; TTL: number; RDLENGTH?: number; RDATAHEX?: string };

function bareName(n: string): string {
  const l = n.toLowerCase();
  return l.length > 1 && l.endsWith('.') ? l.slice(0, -1) : l;
}

function toRecord(rr: JsonRr): DigRecord {
  const type = rr.TYPEname ?? `TYPE${rr.TYPE}`;
  const key = Object.keys(rr).find((k) => k.startsWith('rdata'));
  const hex = rr.RDATAHEX ?? '';
  const data = key ? String(rr[key]) : `\\# ${rr.RDLENGTH ?? hex.length / 2} ${hex}`.trim();
  return { name: bareName(rr.NAME), ttl: rr.TTL, type, typeCode: rr.TYPE, class: rr.CLASS, data, rdataHex: hex.toUpperCase() };
}

function parseOptions(hex: string): { code: number; hex: string }[] {
  const b = Buffer.from(hex, 'hex');
  const out: { code: number; hex: string }[] = [];
  for (let p = 0; p + 4 <= b.length;) {
    const len = b.readUInt16BE(p + 2);
    out.push({ code: b.readUInt16BE(p), hex: b.subarray(p + 4, p + 4 + len).toString('hex').toUpperCase() });
    p += 4 + len;
  }
  return out;
}

/** Reads one kdig +json document into a DigResult. Exported for callers holding kdig output. */
export function parseKdigJson(text: string): DigResult {
  const j = JSON.parse(text) as Record<string, unknown>;
  const section = (k: string) => ((j[k] as JsonRr[] | undefined) ?? []);
  const additionalAll = section('additionalRRs');
  const optRr = additionalAll.find((r) => r.TYPE === 41);
  let edns: DigResult['edns'] = null;
  let extRcode = 0;
  if (optRr) {
    const ttl = optRr.TTL >>> 0;
    extRcode = ttl >>> 24;
    edns = { udpSize: optRr.CLASS, do: (ttl & 0x8000) !== 0, version: (ttl >>> 16) & 0xff, options: parseOptions(optRr.RDATAHEX ?? '') };
  }
  const ede = (edns?.options ?? [])
    .filter((o) => o.code === 15 && o.hex.length >= 4)
    .map((o) => ({ code: parseInt(o.hex.slice(0, 4), 16), text: Buffer.from(o.hex.slice(4), 'hex').toString('utf8') }));
  const rcodeCode = (extRcode << 4) | Number(j.RCODE);
  return {
    id: Number(j.ID),
    opcode: Number(j.Opcode),
    rcodeCode,
    rcode: RCODE_NAMES[rcodeCode] ?? `RCODE${rcodeCode}`,
    flags: { qr: j.QR === 1, aa: j.AA === 1, tc: j.TC === 1, rd: j.RD === 1, ra: j.RA === 1, ad: j.AD === 1, cd: j.CD === 1 },
    question: typeof j.QNAME === 'string' ? { name: bareName(j.QNAME), type: String(j.QTYPEname ?? `TYPE${j.QTYPE}`) } : null,
    answer: section('answerRRs').map(toRecord),
    authority: section('authorityRRs').map(toRecord),
    additional: additionalAll.filter((r) => r.TYPE !== 41).map(toRecord),
    edns,
    ede,
    msgLength: Number(j.msgLength),
  };
}

/**
 * Runs `kdig +json <args>` and returns the parsed answer. One try, 2 s per try unless the
 * args say otherwise (`+time=`, `+retry=`); note kdig retries over TCP by itself when an
 * answer is truncated unless `+ignore` is given. Rejects with DigError when no answer came.
 */
export function kdig(args: readonly (string | number)[], o: DigOptions = {}): Promise<DigResult> {
  const a = args.map(String);
  const defaults = [
    ...(a.some((x) => x.startsWith('+time=')) ? [] : ['+time=2']),
    ...(a.some((x) => x.startsWith('+retry=')) ? [] : ['+retry=0']),
  ];
  return new Promise((resolve, reject) => {
    execFile('kdig', ['+json', ...defaults, ...a], { timeout: o.timeoutMs ?? 5000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      // on failure kdig still prints an empty JSON object; only a document with an ID is an answer
      const start = stdout.indexOf('{');
      if (start >= 0) {
        try {
          const r = parseKdigJson(stdout.slice(start));
          if (Number.isInteger(r.id)) {
            resolve(r);
            return;
          }
        } catch {
          // fall through to the error below with kdig's own words
        }
      }
      const why = err?.killed ? `killed after ${o.timeoutMs ?? 5000} ms` : (stderr.trim() || err?.message || 'no answer');
      reject(new DigError(`dig: kdig ${a.join(' ')}: ${why}`, stdout, stderr));
    });
  });
}

export interface QueryArgs {
  port: number;
  name: string;
  type?: string;
  /** server address; default 127.0.0.1 */
  server?: string;
  tcp?: boolean;
  /** set the DO bit */
  dnssec?: boolean;
  /** send an OPT record (default true, as stub resolvers do; kdig alone sends none) */
  edns?: boolean;
  /** UDP payload size to advertise */
  bufsize?: number;
  /** local source address (kdig -b) */
  source?: string;
  /** keep a truncated UDP answer instead of retrying over TCP */
  ignoreTc?: boolean;
  /** extra kdig arguments */
  extra?: string[];
}

/** The common case of `kdig` with named options instead of raw arguments. */
export function query(q: QueryArgs, o?: DigOptions): Promise<DigResult> {
  const args = [`@${q.server ?? '127.0.0.1'}`, '-p', String(q.port)];
  if (q.source) args.push('-b', q.source);
  if (q.tcp) args.push('+tcp');
  if (q.dnssec) args.push('+dnssec');
  args.push(q.edns === false ? '+noedns' : '+edns');
  if (q.bufsize !== undefined) args.push(`+bufsize=${q.bufsize}`);
  if (q.ignoreTc) args.push('+ignore');
  args.push(...(q.extra ?? []), q.name, q.type ?? 'A');
  return kdig(args, o);
}

/** Node's own stub resolver pointed at one server: for checks that need no DNS detail. */
export function nodeResolver(port: number, host = '127.0.0.1', timeoutMs = 2000): dnsPromises.Resolver {
  const r = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`]);
  return r;
}
