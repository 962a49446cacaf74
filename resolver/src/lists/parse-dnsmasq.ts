import { emitName } from './domain-name.js';
import { RuleAction, RuleScope, type LineParser, type RuleSink } from './rule-types.js';

// dnsmasq directives as blocklists use them: `address=/a.example/b.example/0.0.0.0` (or `/#`
// or nothing: NXDOMAIN), `server=/example.org/` and `local=/example.org/` (answered locally,
// so never resolved). Each covers the name and its subdomains. A directive naming a real
// address or upstream is a redirect or a forward, not a block, and is skipped.

const NULL_TARGETS = new Set(['', '#', '0.0.0.0', '::', '127.0.0.1', '::1']);

export function createDnsmasqParser(): LineParser {
  return { parse: parseDnsmasqLine };
}

export function parseDnsmasqLine(line: string, lineNo: number, sink: RuleSink): void {
  const body = line.trim();
  if (body === '' || body[0] === '#') return;
  const m = /^(address|server|local)\s*=\s*\/(.*)\/([^/]*)$/.exec(body);
  if (!m) {
    if (/^[a-z-]+(=|$)/i.test(body)) sink.skipped('dnsmasq: unsupported directive');
    else sink.invalid(lineNo, line, 'not a dnsmasq directive');
    return;
  }
  const [, directive, names, target] = m;
  if (directive !== 'local' && !NULL_TARGETS.has(target.trim())) {
    sink.skipped(`dnsmasq: ${directive} to a real target`);
    return;
  }
  for (const name of names.split('/')) {
    if (name === '#' || name === '') sink.invalid(lineNo, line, 'dnsmasq: a catch-all domain is not a blocklist entry');
    else emitName(name, RuleAction.Block, RuleScope.Tree, lineNo, line, sink);
  }
}
