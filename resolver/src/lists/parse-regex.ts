import { compileLinearRegex } from './linear-regex.js';
import { RuleAction, type LineParser, type RuleSink } from './rule-types.js';

// Pi-hole style regex lists: one JavaScript regular expression per line, with or without
// surrounding slashes, tested against the lower-case name without its trailing dot.

export function createRegexParser(): LineParser {
  return { parse: parseRegexLine };
}

function parseRegexLine(line: string, lineNo: number, sink: RuleSink): void {
  let body = line.trim();
  if (body === '' || body[0] === '#') return;
  let action = RuleAction.Block;
  if (body.startsWith('@@')) {
    action = RuleAction.Allow;
    body = body.slice(2);
  }
  if (body.length > 2 && body[0] === '/' && body.endsWith('/')) body = body.slice(1, -1);
  emitRegex(body, action, lineNo, line, sink);
}

/** Compiles once to reject what would throw later or could not run in linear time (reported
 *  as invalid lines of the source, with the reason); the compiler keeps the source only. */
export function emitRegex(pattern: string, action: RuleAction, lineNo: number, text: string, sink: RuleSink): void {
  const c = compileLinearRegex(pattern);
  if (!c.ok) {
    sink.invalid(lineNo, text, c.reason);
    return;
  }
  sink.regex(pattern, action, lineNo);
}
