import { parseCidr } from '../../../../resolver/src/policy/cidr';

// The same parser the resolver matches with, so what the console accepts is what the
// network table stores (a single address is a /32 or /128; host bits are dropped).

export interface CidrLine { line: number; text: string; canonical?: string; error?: boolean }

export function checkCidrLines(text: string): CidrLine[] {
  const out: CidrLine[] = [];
  text.split(/[\r\n,]+/).forEach((raw, i) => {
    const t = raw.trim();
    if (!t) return;
    const c = parseCidr(t);
    out.push(c ? { line: i + 1, text: t, canonical: c.text } : { line: i + 1, text: t, error: true });
  });
  return out;
}
