import { WireName } from './wire-name.js';
import { skipName, TYPE_ANY, TYPE_CNAME, TYPE_OPT, TYPE_SOA } from './wire.js';

// What the cache needs to know about an upstream answer, read once when it arrives: where
// every TTL sits (to age them in place on each hit), the lifetime (RFC 2308 for negative
// answers), where the OPT record is (to drop or keep per client) and the CNAME targets (to
// check them against the client's policy: CNAME cloaking). Bounds-checked: upstream bytes
// are untrusted too.

export interface ResponseInfo {
  rcode: number;
  /** byte offset of each record's TTL field, OPT excluded */
  ttlOffsets: Int32Array;
  /** the TTLs as received (the cache clamps them in place when it keeps the answer) */
  ttls: Uint32Array;
  /** seconds this answer may be cached before clamping; -1 = do not cache */
  lifetime: number;
  /** NXDOMAIN, or NODATA (no record of the asked type, possibly after a CNAME chain) */
  negative: boolean;
  /** OPT record span; -1 when absent */
  optStart: number;
  optEnd: number;
  /** true when OPT is the last record (it can be cut off by truncating the message) */
  optLast: boolean;
  answerCount: number;
  /** offset of the first answer record */
  answerStart: number;
  /** the CNAME targets in the answer section, lower-cased wire names */
  cnameTargets: WireName[] | null;
}

const MAX_RECORDS = 4096;
// Every answer is read into these first and copied out at its exact record count: one
// allocation per array per answer, where sizing by the header (which counts the OPT too)
// and trimming would take two. Safe to share: the analysis is synchronous.
const scratchOffsets = new Int32Array(MAX_RECORDS);
const scratchTtls = new Uint32Array(MAX_RECORDS);

export function analyseResponse(resp: Uint8Array): ResponseInfo | null {
  const len = resp.length;
  if (len < 12) return null;
  const rcode = resp[3] & 0x0f;
  const qd = (resp[4] << 8) | resp[5];
  const an = (resp[6] << 8) | resp[7];
  const ns = (resp[8] << 8) | resp[9];
  const ar = (resp[10] << 8) | resp[11];
  const total = an + ns + ar;
  if (qd !== 1 || total > MAX_RECORDS) return null;
  let off = skipName(resp, 12, len);
  if (off < 0 || off + 4 > len) return null;
  const qtype = (resp[off] << 8) | resp[off + 1];
  off += 4;
  const answerStart = off;
  const ttlOffsets = scratchOffsets;
  const ttls = scratchTtls;
  let n = 0;
  let minTtl = 0x7fffffff;
  /** smallest TTL in the answer section (the CNAME chain of a negative answer) */
  let answerMinTtl = 0x7fffffff;
  /** an answer record of the asked type (or any, for CNAME and ANY questions) */
  let answered = false;
  let soaNegTtl = -1;
  let optStart = -1;
  let optEnd = -1;
  let optLast = false;
  let cnameTargets: WireName[] | null = null;
  for (let i = 0; i < total; i++) {
    const start = off;
    off = skipName(resp, off, len);
    if (off < 0 || off + 10 > len) return null;
    const type = (resp[off] << 8) | resp[off + 1];
    const ttlOff = off + 4;
    const rdlen = (resp[off + 8] << 8) | resp[off + 9];
    const rdStart = off + 10;
    off = rdStart + rdlen;
    if (off > len) return null;
    if (type === TYPE_OPT) {
      // RFC 6891 6.1.2: one OPT, in the additional section, owned by the root
      if (i < an + ns || optStart >= 0 || resp[start] !== 0) return null;
      optStart = start;
      optEnd = off;
      optLast = i === total - 1;
      continue;
    }
    const ttl = ((resp[ttlOff] << 24) | (resp[ttlOff + 1] << 16) | (resp[ttlOff + 2] << 8) | resp[ttlOff + 3]) >>> 0;
    // RFC 2181 8: a TTL with the top bit set is treated as zero
    const eff = ttl > 0x7fffffff ? 0 : ttl;
    ttlOffsets[n] = ttlOff;
    ttls[n] = eff;
    n++;
    if (eff < minTtl) minTtl = eff;
    if (i < an) {
      if (eff < answerMinTtl) answerMinTtl = eff;
      if (type === qtype || qtype === TYPE_CNAME || qtype === TYPE_ANY) answered = true;
    }
    if (i < an && type === TYPE_CNAME) {
      const t = WireName.fromMessage(resp, rdStart, len);
      if (t === null) return null;
      (cnameTargets ??= []).push(t);
    }
    if (i >= an && i < an + ns && type === TYPE_SOA) {
      // RFC 2308 5: negative TTL = min(SOA TTL, SOA MINIMUM)
      let p = skipName(resp, rdStart, off);
      if (p >= 0) p = skipName(resp, p, off);
      if (p >= 0 && p + 20 <= off) {
        const minimum = ((resp[p + 16] << 24) | (resp[p + 17] << 16) | (resp[p + 18] << 8) | resp[p + 19]) >>> 0;
        soaNegTtl = Math.min(eff, minimum > 0x7fffffff ? 0 : minimum);
      }
    }
  }
  // RFC 2308 2.1/2.2: a CNAME chain ending in NXDOMAIN or NODATA is a negative answer, and
  // it may not be cached longer than the CNAMEs that lead to it
  const negative = rcode === 3 || (rcode === 0 && !answered);
  let lifetime: number;
  if (rcode !== 0 && rcode !== 3) lifetime = -1;
  else if (negative) lifetime = soaNegTtl < 0 ? -1 : Math.min(soaNegTtl, answerMinTtl); // no SOA: RFC 2308 says do not cache
  else lifetime = n ? minTtl : -1;
  return {
    rcode,
    ttlOffsets: ttlOffsets.slice(0, n),
    ttls: ttls.slice(0, n),
    lifetime,
    negative,
    optStart,
    optEnd,
    optLast,
    answerCount: an,
    answerStart,
    cnameTargets,
  };
}
