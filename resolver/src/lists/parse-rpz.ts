import { emitName } from './domain-name.js';
import { RuleAction, RuleScope, type LineParser, type RuleSink } from './rule-types.js';

// Response Policy Zone files (BIND, Unbound, Knot): `name CNAME .` blocks exactly that name,
// `*.name CNAME .` its subdomains, `CNAME rpz-passthru.` exempts it. Owner names are
// relative to $ORIGIN (the policy zone); absolute ones must sit under it and lose it.
// Local-data answers (A, AAAA, CNAME to a real host) redirect rather than block: skipped.

const CLASSES = new Set(['in', 'ch', 'hs', 'cs']);
const TTL = /^\d+[smhdw]?(\d+[smhdw])*$/i;
const UNSUPPORTED_TRIGGERS = /(^|\.)rpz-(ip|nsdname|nsip|client-ip)(\.|$)/;

class RpzParser implements LineParser {
  private origin = '';
  private owner = '';
  /** inside a parenthesised multi-line record (SOA) */
  private open = false;

  parse(line: string, lineNo: number, sink: RuleSink): void {
    const semi = line.indexOf(';');
    const body = semi >= 0 ? line.slice(0, semi) : line;
    if (this.open) {
      if (body.includes(')')) this.open = false;
      return;
    }
    if (body.trim() === '') return;
    if (body.includes('(') && !body.includes(')')) this.open = true;
    const tokens = body.trim().split(/\s+/);
    const first = tokens[0].toUpperCase();
    if (first === '$ORIGIN') {
      this.origin = (tokens[1] ?? '').toLowerCase().replace(/\.$/, '');
      return;
    }
    if (first === '$TTL') return;
    if (first.startsWith('$')) {
      sink.skipped(`rpz: ${first} directive`);
      return;
    }
    // a line starting with blanks continues the previous owner
    let i = 0;
    if (!/^\s/.test(body)) this.owner = tokens[i++];
    if (i < tokens.length && TTL.test(tokens[i])) i++;
    if (i < tokens.length && CLASSES.has(tokens[i].toLowerCase())) i++;
    if (i < tokens.length && TTL.test(tokens[i])) i++;
    const type = (tokens[i++] ?? '').toUpperCase();
    const rdata = (tokens[i] ?? '').toLowerCase();
    if (type === '') {
      sink.invalid(lineNo, line, 'rpz: record without a type');
      return;
    }
    if (type === 'SOA' || type === 'NS') return;
    const trigger = this.trigger(this.owner);
    if (trigger === null) {
      sink.invalid(lineNo, line, `rpz: owner outside $ORIGIN ${this.origin}`);
      return;
    }
    if (trigger === '') return; // the zone apex itself
    if (UNSUPPORTED_TRIGGERS.test(trigger)) {
      sink.skipped('rpz: non-name trigger');
      return;
    }
    if (type !== 'CNAME') {
      sink.skipped('rpz: local data');
      return;
    }
    let action: RuleAction;
    if (rdata === '.' || rdata === '*.' || rdata === 'rpz-drop.') action = RuleAction.Block;
    else if (rdata === 'rpz-passthru.') action = RuleAction.Allow;
    else {
      sink.skipped(rdata === 'rpz-tcp-only.' ? 'rpz: tcp-only' : 'rpz: local data');
      return;
    }
    emitName(trigger, action, RuleScope.Exact, lineNo, line, sink);
  }

  /** The trigger name relative to the zone; null when an absolute owner is outside it. */
  private trigger(owner: string): string | null {
    const o = owner.toLowerCase();
    if (o === '@') return '';
    if (!o.endsWith('.')) return o;
    const abs = o.slice(0, -1);
    if (this.origin === '') return abs;
    if (abs === this.origin) return '';
    if (abs.endsWith(`.${this.origin}`)) return abs.slice(0, -this.origin.length - 1);
    return null;
  }
}

export function createRpzParser(): LineParser {
  return new RpzParser();
}
