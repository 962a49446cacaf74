import { looksLikeIp } from './domain-name.js';
import { createAdblockParser } from './parse-adblock.js';
import { createDnsmasqParser } from './parse-dnsmasq.js';
import { createDomainsParser } from './parse-domains.js';
import { createHostsParser } from './parse-hosts.js';
import { createRegexParser } from './parse-regex.js';
import { createRpzParser } from './parse-rpz.js';
import type { LineParser, ListFormatName, RuleSink } from './rule-types.js';

// Which parser reads a source: the configured format, or a guess from its first rule lines.
// Guessing per line and voting keeps a stray line of another syntax from deciding.

const FACTORIES: Record<ListFormatName, () => LineParser> = {
  hosts: createHostsParser,
  domains: createDomainsParser,
  adblock: createAdblockParser,
  dnsmasq: createDnsmasqParser,
  rpz: createRpzParser,
  regex: createRegexParser,
};

export function createParser(format: ListFormatName): LineParser {
  return FACTORIES[format]();
}

/** The syntax one line is written in; comments and blank lines give null. */
export function detectLineFormat(line: string): ListFormatName | null {
  const t = line.trim();
  if (t === '' || t[0] === '#' || t[0] === '!' || t[0] === ';' || t[0] === '[') return null;
  if (t[0] === '$') return 'rpz';
  if (t.startsWith('@@') || t[0] === '|' || t[0] === '/' || t.includes('^') || t.includes('##')) return 'adblock';
  if (/^(address|server|local)\s*=/.test(t)) return 'dnsmasq';
  const tokens = t.split(/\s+/);
  if (tokens.length > 1 && looksLikeIp(tokens[0])) return 'hosts';
  if (tokens.some((x) => /^(CNAME|SOA|NS|A|AAAA)$/i.test(x)) && tokens.length >= 3) return 'rpz';
  return 'domains';
}

const SAMPLE_LINES = 500;

/** Guesses a whole source's format from its first rule lines (regex lists must be declared). */
export function detectFormat(text: string): ListFormatName {
  const votes = new Map<ListFormatName, number>();
  let seen = 0;
  forEachLine(text, (line) => {
    const f = detectLineFormat(line);
    if (f) {
      votes.set(f, (votes.get(f) ?? 0) + 1);
      seen++;
    }
    return seen < SAMPLE_LINES;
  });
  let best: ListFormatName = 'domains';
  let bestVotes = 0;
  for (const [f, n] of votes) if (n > bestVotes) { best = f; bestVotes = n; }
  return best;
}

/**
 * Calls `fn(line, lineNo)` for each line without its terminator (LF, CRLF or lone CR) and
 * without a leading BOM; stops early when `fn` returns false.
 */
export function forEachLine(text: string, fn: (line: string, lineNo: number) => boolean | void): void {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 1;
  const len = text.length;
  while (start <= len) {
    let end = start;
    while (end < len) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    if (end === len && start === len) break;
    if (fn(text.slice(start, end), lineNo) === false) return;
    if (end < len && text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10) end++;
    start = end + 1;
    lineNo++;
  }
}

/** Parses a whole source text in one format. */
export function parseText(text: string, format: ListFormatName, sink: RuleSink): void {
  const parser = createParser(format);
  forEachLine(text, (line, lineNo) => parser.parse(line, lineNo, sink));
}

/** Parses rules written one per line in mixed syntaxes (a policy's own rules). */
export function parseMixedLines(lines: readonly string[], sink: RuleSink): void {
  lines.forEach((line, i) => {
    const f = detectLineFormat(line);
    if (f) createParser(f).parse(line, i + 1, sink);
  });
}
