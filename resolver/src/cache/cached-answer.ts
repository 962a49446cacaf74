import { bareOpt, EDE_STALE_ANSWER, type Ede, truncatedResponse, withEdeOption } from '../dns/message-builders.js';
import type { ParsedQuery } from '../dns/wire.js';
import type { CacheEntry } from './response-cache.js';

// Turns a cached upstream answer into the reply to one client: the client's ID, its spelling
// of the name (0x20 echo), its RD bit, aged TTLs, an OPT record only if the client sent one
// (with EDE 3 on a stale answer, RFC 8914 4.4), and TC=1 when the result does not fit the
// client's UDP size. The upstream's bytes are never re-encoded.

const EDE_STALE: Ede = { code: EDE_STALE_ANSWER, text: '' };

function variantFor(e: CacheEntry, clientHasOpt: boolean): Buffer {
  const opt = e.optStart >= 0;
  if (clientHasOpt === opt) return e.resp;
  if (!clientHasOpt) {
    // an OPT in mid-section is never cached (ResponseCache.store); relaying it once is harmless
    if (!e.optLast) return e.resp;
    // a view, not a copy: the OPT is the message's tail, and ARCOUNT is written per reply
    return (e.noOpt ??= e.resp.subarray(0, e.optStart));
  }
  return (e.withOpt ??= Buffer.concat([e.resp, bareOpt(e.dnssecOk)]));
}

/** A stale answer for an EDNS client: its own copy, the OPT carrying EDE 3 (rare path: no sharing). */
function staleVariant(e: CacheEntry): Buffer {
  if (e.optStart >= 0 && e.optLast) return withEdeOption(e.resp, e.optStart, EDE_STALE);
  return Buffer.concat([e.resp, bareOpt(e.dnssecOk, EDE_STALE)]);
}

/** The TTL record `i` of `e` is served with at `now` (aged; `staleTtl` > 0: stale, capped to it). */
export function servedTtl(e: CacheEntry, i: number, now: number, staleTtl: number): number {
  const t = staleTtl > 0 ? Math.min(e.ttls[i], staleTtl) : e.ttls[i] - (((now - e.storedAt) / 1000) | 0);
  return t < 0 ? 0 : t;
}

/** Writes into `b` the TTLs of `e` served at `now` (aged, or stale-capped when `staleTtl` > 0). */
function writeTtls(b: Buffer, e: CacheEntry, now: number, staleTtl: number): void {
  const offs = e.info.ttlOffsets;
  for (let i = 0; i < offs.length; i++) {
    const t = servedTtl(e, i, now, staleTtl);
    // offsets were bounds-checked when the answer was analysed: plain byte stores
    const o = offs[i];
    b[o] = t >>> 24;
    b[o + 1] = (t >>> 16) & 0xff;
    b[o + 2] = (t >>> 8) & 0xff;
    b[o + 3] = t & 0xff;
  }
}

/**
 * The reply bytes. With `share`, the cached Buffer itself is patched and returned (the UDP
 * send copies it into the kernel synchronously; see ResponseCache.detach for when it doesn't);
 * otherwise a private copy. `staleTtl` > 0 serves an expired entry with that TTL (RFC 8767).
 */
export function answerFromEntry(e: CacheEntry, msg: Uint8Array, q: ParsedQuery, now: number, maxLen: number, share: boolean, staleTtl: number): Buffer {
  const stale = staleTtl > 0;
  const variant = stale && q.hasOpt ? staleVariant(e) : variantFor(e, q.hasOpt);
  if (variant.length > maxLen) return truncatedResponse(msg, q, e.info.rcode);
  let b: Buffer;
  if (stale) {
    // a private copy (an EDNS client's stale variant already is one), every TTL capped
    b = q.hasOpt ? variant : Buffer.from(variant);
    writeTtls(b, e, now, staleTtl);
  } else {
    // A cached variant's TTLs change once a second: they are rewritten only when the age in
    // whole seconds is not the one they were last written for. A popular name is asked many
    // times a second, and this keeps its TTL arrays (and the bytes they point at) out of the
    // CPU cache's way on most hits. The private copy then takes the bytes as they are.
    const age = ((now - e.storedAt) / 1000) | 0;
    if (variant === e.withOpt) {
      if (e.withOptAge !== age) {
        writeTtls(variant, e, now, 0);
        e.withOptAge = age;
      }
    } else if (e.respAge !== age) {
      // resp and its view without the OPT share the same bytes
      writeTtls(e.resp, e, now, 0);
      e.respAge = age;
    }
    b = share ? variant : Buffer.from(variant);
  }
  // ARCOUNT: the upstream's, one less without its OPT, one more with ours appended
  const ar = e.arcount + (variant === e.resp ? 0 : variant === e.noOpt ? -1 : e.optStart >= 0 ? 0 : 1);
  b[10] = ar >> 8;
  b[11] = ar & 0xff;
  b[0] = msg[0];
  b[1] = msg[1];
  b[2] = (b[2] & 0xfe) | (msg[2] & 0x01);
  for (let i = 12; i < q.qnameEnd; i++) b[i] = msg[i];
  return b;
}
