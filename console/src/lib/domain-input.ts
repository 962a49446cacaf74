// As-you-type checks for the names people paste into the console. The API's own parser is
// the authority (it answers with the offending field); these only catch typos before a
// round trip. Browsers turn an IDN into its punycode form through the URL parser.

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** The ASCII (punycode) form of a host name, or null when it is not one. */
export function asciiDomain(raw: string): string | null {
  let s = raw.trim().toLowerCase();
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (!s || s.length > 253 || /[\s/:@?#]/.test(s)) return null;
  let host: string;
  try {
    host = new URL(`http://${s}/`).hostname;
  } catch {
    return null;
  }
  const labels = host.split('.');
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1])) return null;
  return labels.every((l) => LABEL.test(l)) ? host : null;
}

export type RuleProblem = 'empty' | 'allowPrefix' | 'badName' | 'badRegex';
export interface RuleLine { line: number; text: string; problem?: RuleProblem }

/**
 * One rule per line, as a policy's allow or deny list takes them: `example.org` (the name
 * and its subdomains), `*.example.org` (subdomains only), `||example.org^` (adblock) or
 * `/regex/`. Blank lines and `#` comments are skipped.
 */
export function checkRuleLines(text: string, kind: 'allow' | 'deny'): RuleLine[] {
  const out: RuleLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#') || t.startsWith('!')) return;
    out.push({ line: i + 1, text: t, problem: ruleProblem(t, kind) });
  });
  return out;
}

function ruleProblem(t: string, kind: 'allow' | 'deny'): RuleProblem | undefined {
  if (t.startsWith('@@')) return kind === 'allow' ? 'allowPrefix' : undefined;
  if (t.length > 2 && t.startsWith('/') && t.endsWith('/')) {
    try {
      new RegExp(t.slice(1, -1));
      return undefined;
    } catch {
      return 'badRegex';
    }
  }
  let name = t;
  if (name.startsWith('||')) name = name.slice(2);
  if (name.endsWith('^')) name = name.slice(0, -1);
  if (name.startsWith('*.')) name = name.slice(2);
  return asciiDomain(name) ? undefined : 'badName';
}
