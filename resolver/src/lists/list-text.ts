import type { SourceStats } from './source-compiler.js';

// A list source is untrusted text. Before a new copy replaces the last good one it must look
// like a list at all: text (no NUL bytes, hardly any control bytes, valid UTF-8), and mostly
// made of lines its format understands. A binary file or a login page served by a captive
// portal is then an error for that source, not a live list of one rule. What a line said is
// shown to operators (API, console, `lists check`), so control bytes are escaped first.

/** Share of bytes that may be control bytes or invalid UTF-8 in a text list (stray ones happen)... */
const MAX_BAD_SHARE = 0.01;
/** ...and how many a short list may have whatever its size */
const MAX_BAD_FEW = 16;

/** Bytes decoded to estimate the share of invalid UTF-8 (decoding all of a 200 MB list would double it in memory). */
const UTF8_SAMPLE_BYTES = 1 << 20;
/** Lines parsed to judge whether a new copy is mostly invalid: the first ones say what a file is. */
export const CHECK_SAMPLE_LINES = 10_000;

/** Why `body` is not a text list, or null when it is. */
export function notTextReason(body: Uint8Array): string | null {
  let controls = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (b === 0) return `not a text list: a NUL byte at offset ${i} (a binary file, or UTF-16 text)`;
    // tab, LF, VT, FF, CR are whitespace in a list; every other C0 byte and DEL are not text
    if ((b < 0x20 && (b < 0x09 || b > 0x0d)) || b === 0x7f) controls++;
  }
  if (controls > Math.max(MAX_BAD_FEW, body.length * MAX_BAD_SHARE)) return `not a text list: ${controls} control byte(s) in ${body.length} bytes`;
  const sample = Math.min(body.length, UTF8_SAMPLE_BYTES);
  const text = Buffer.from(body.buffer, body.byteOffset, sample).toString('utf8');
  let invalid = 0;
  // U+FFFD for each invalid sequence (a sequence cut at the sample's end counts once)
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) invalid++;
  if (invalid > Math.max(MAX_BAD_FEW, sample * MAX_BAD_SHARE)) return `not a text list: ${invalid} invalid UTF-8 sequence(s) in its first ${sample} bytes`;
  return null;
}

/** The first `lines` lines of `body` as text (all of it when shorter), decoding nothing more. */
export function firstLines(body: Uint8Array, lines: number): string {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.length);
  let at = -1;
  for (let n = 0; n < lines; n++) {
    at = buf.indexOf(0x0a, at + 1);
    if (at < 0) return buf.toString('utf8');
  }
  return buf.toString('utf8', 0, at);
}

/** Rules a source's lines turned into, whatever their kind (skipped browser rules included). */
function understood(s: SourceStats): number {
  return s.block + s.allow + s.important + s.regex + s.regexOverCap + s.skipped;
}

/** Why a compiled source is rejected as mostly invalid, or null: more invalid lines than understood ones. */
export function mostlyInvalidReason(s: SourceStats): string | null {
  const ok = understood(s);
  if (s.invalid <= ok) return null;
  return `mostly invalid: ${s.invalid} invalid line(s) against ${ok} rule(s) read as ${s.format}; not a list in this format`;
}

/** `text` with control characters (C0, DEL, C1) and U+FFFD written as escapes, safe on a terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => {
    const n = c.charCodeAt(0);
    return n === 0xfffd ? '\\ufffd' : `\\x${n.toString(16).padStart(2, '0')}`;
  });
}
