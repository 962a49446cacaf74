// Category names and their bit in a 32-bit mask. The well-known ones have fixed bits so a
// mask means the same thing in every snapshot, every process and every stored statistic;
// other names an admin invents get the next free bit (up to 32 in all).

export const WELL_KNOWN_CATEGORIES = [
  'adult',
  'gambling',
  'violence',
  'drugs',
  'malware',
  'phishing',
  'scams',
  'social',
  'games',
  'streaming',
  'ads',
  'bypass',
  'custom',
  'piracy',
  'crypto',
  'dating',
  'weapons',
  'hate',
  'self-harm',
  'vaping',
] as const;

export const MAX_CATEGORIES = 32;

export class CategoryRegistry {
  private readonly bits = new Map<string, number>();
  private readonly names: string[] = [];

  constructor(extra: Iterable<string> = []) {
    for (const c of WELL_KNOWN_CATEGORIES) this.add(c);
    for (const c of extra) this.add(c);
  }

  /** The bit for `name`, assigning one if new; throws once all 32 are used. */
  add(name: string): number {
    const n = name.toLowerCase();
    const have = this.bits.get(n);
    if (have !== undefined) return have;
    if (this.names.length >= MAX_CATEGORIES) throw new Error(`categories: more than ${MAX_CATEGORIES} categories ("${name}")`);
    this.bits.set(n, this.names.length);
    this.names.push(n);
    return this.names.length - 1;
  }

  bit(name: string): number | undefined {
    return this.bits.get(name.toLowerCase());
  }

  name(bit: number): string | undefined {
    return this.names[bit];
  }

  /** Mask of the named categories; unknown names are ignored (they block nothing yet). */
  mask(names: Iterable<string>): number {
    let m = 0;
    for (const n of names) {
      const b = this.bits.get(n.toLowerCase());
      if (b !== undefined) m |= 1 << b;
    }
    return m;
  }

  /** Category names set in a mask, in bit order. */
  namesOf(mask: number): string[] {
    const out: string[] = [];
    for (let b = 0; b < this.names.length; b++) if (mask & (1 << b)) out.push(this.names[b]);
    return out;
  }

  all(): readonly string[] {
    return this.names;
  }
}

/** The process-wide registry: lists, policies and statistics agree on bits through it. */
export const categories = new CategoryRegistry();
