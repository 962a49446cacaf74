import { emitName, looksLikeIp } from './domain-name.js';
import { RuleAction, RuleScope, type LineParser, type RuleSink } from './rule-types.js';

// One name per line; `*.example.org` means its subdomains only, `.example.org` (a Squid and
// dnscrypt-proxy habit) the name and its subdomains like a bare name.

export function createDomainsParser(): LineParser {
  return { parse: parseDomainsLine };
}

export function parseDomainsLine(line: string, lineNo: number, sink: RuleSink): void {
  const hash = line.indexOf('#');
  let body = (hash >= 0 ? line.slice(0, hash) : line).trim();
  if (body === '') return;
  if (/\s/.test(body)) {
    sink.invalid(lineNo, line, 'more than one token');
    return;
  }
  if (looksLikeIp(body)) {
    sink.invalid(lineNo, line, 'an address, not a name');
    return;
  }
  if (body.startsWith('.')) body = body.slice(1);
  emitName(body, RuleAction.Block, RuleScope.Tree, lineNo, line, sink);
}
