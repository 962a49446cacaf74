import { emitName, looksLikeIp } from './domain-name.js';
import { RuleAction, RuleScope, type LineParser, type RuleSink } from './rule-types.js';

// /etc/hosts syntax: `0.0.0.0 ads.example.org tracker.example.org  # comment`. Only the
// addresses that mean "nowhere" block; any other address is a local mapping, not a block.

const SINKHOLES = new Set(['0.0.0.0', '127.0.0.1', '::', '::1', '0:0:0:0:0:0:0:0', '0:0:0:0:0:0:0:1']);

// Names every hosts file starts with (StevenBlack and friends): blocking them would break the
// machine's own loopback, so they are the preamble, not rules.
const PREAMBLE = new Set([
  'localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback',
  'ip6-localnet', 'ip6-mcastprefix', 'ip6-allnodes', 'ip6-allrouters', 'ip6-allhosts', '0.0.0.0',
]);

export function createHostsParser(): LineParser {
  return { parse: parseHostsLine };
}

export function parseHostsLine(line: string, lineNo: number, sink: RuleSink): void {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  const tokens = body.trim().split(/\s+/);
  if (tokens.length === 1 && tokens[0] === '') return;
  const addr = tokens[0];
  if (!looksLikeIp(addr)) {
    sink.invalid(lineNo, line, 'expected an address first');
    return;
  }
  if (tokens.length < 2) {
    sink.invalid(lineNo, line, 'address without a name');
    return;
  }
  if (!SINKHOLES.has(addr)) {
    sink.skipped('hosts: non-blocking address');
    return;
  }
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (PREAMBLE.has(t.toLowerCase())) sink.skipped('hosts: preamble name');
    else emitName(t, RuleAction.Block, RuleScope.Tree, lineNo, line, sink);
  }
}
