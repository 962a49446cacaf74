import { emitName, looksLikeIp } from './domain-name.js';
import { parseDomainsLine } from './parse-domains.js';
import { parseHostsLine } from './parse-hosts.js';
import { emitRegex } from './parse-regex.js';
import { RuleAction, RuleScope, type LineParser, type RuleSink } from './rule-types.js';

// AdGuard / Adblock Plus syntax as DNS filters read it (AdGuard Home's urlfilter is the
// reference): `||name^` the name and its subdomains, `|name^` exactly the name, `@@` an
// exception, `/re/` a regular expression, `$important` a block exceptions cannot lift.
// Browser-only rules (cosmetic, paths, request-type modifiers) are counted and skipped.
// Plain hosts and domain lines are accepted too, as AdGuard Home does.

// Modifiers that do not change what a DNS filter blocks.
const NEUTRAL_MODIFIERS = new Set(['all', 'document', 'doc', 'first-party', '1p', 'popup']);

const COSMETIC = /#[@?$%]?#|#@?\$\?#|\$\$|#\+js/;

export function createAdblockParser(): LineParser {
  return { parse: parseAdblockLine };
}

export function parseAdblockLine(line: string, lineNo: number, sink: RuleSink): void {
  let rule = line.trim();
  if (rule === '' || rule[0] === '!' || rule[0] === '[') return;
  if (COSMETIC.test(rule)) {
    sink.skipped('adblock: cosmetic rule');
    return;
  }
  let allow = false;
  if (rule.startsWith('@@')) {
    allow = true;
    rule = rule.slice(2);
  }
  let important = false;
  const regex = rule.length > 1 && rule[0] === '/';
  // modifiers follow the last `$`; inside a regex a `$` is an anchor unless after the closing slash
  const dollar = regex ? rule.indexOf('$', rule.lastIndexOf('/')) : rule.lastIndexOf('$');
  if (dollar > 0) {
    for (const raw of rule.slice(dollar + 1).split(',')) {
      const mod = raw.trim().toLowerCase();
      if (mod === 'important') important = true;
      else if (!NEUTRAL_MODIFIERS.has(mod)) {
        sink.skipped(`adblock: modifier $${mod.split('=')[0]}`);
        return;
      }
    }
    rule = rule.slice(0, dollar);
  }
  const action = allow
    ? (important ? RuleAction.AllowImportant : RuleAction.Allow)
    : (important ? RuleAction.Important : RuleAction.Block);

  if (regex) {
    if (rule.length < 3 || !rule.endsWith('/')) {
      sink.invalid(lineNo, line, 'unterminated regular expression');
      return;
    }
    emitRegex(rule.slice(1, -1), action, lineNo, line, sink);
    return;
  }

  let scope: RuleScope;
  if (rule.startsWith('||')) {
    scope = RuleScope.Tree;
    rule = rule.slice(2);
  } else if (rule.startsWith('|')) {
    scope = RuleScope.Exact;
    rule = rule.slice(1);
  } else if (!rule.includes('^') && !allow && !important && dollar < 0) {
    // no adblock markers at all: a hosts or plain-domain line inside an adblock list
    if (looksLikeIp(rule.split(/\s/, 1)[0])) parseHostsLine(line, lineNo, sink);
    else parseDomainsLine(line, lineNo, sink);
    return;
  } else {
    scope = RuleScope.Tree;
  }
  // `^` is the separator; `^|` pins the end, which for a host name is the same thing
  if (rule.endsWith('^|')) rule = rule.slice(0, -2);
  else if (rule.endsWith('^')) rule = rule.slice(0, -1);
  if (rule.includes('/') || rule.includes('^') || rule.includes(':')) {
    sink.skipped('adblock: path or port rule');
    return;
  }
  emitName(rule, action, scope, lineNo, line, sink);
}
