
// Category names and their bit in the compiled masks. The well-known ones have fixed bits so a
// mask means the same thing in every snapshot, every process and every stored statistic.
// Other names (an admin's own categories, the services catalog's entries) get a bit from the
// store when a snapshot that uses them is built (store/category-bit-repository.ts): validating
// a policy only looks names up, so no amount of typing uses bits up, and masks are as many
// 32-bit words as the highest bit needs, so there is no fixed limit.

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

export class CategoryRegistry {
  private readonly bits = new Map<string, number>();
  private readonly names: string[] = [];

  constructor() {
    WELL_KNOWN_CATEGORIES.forEach((c, i) => this.learn(c, i));
  }

  /** Records a bit read from the store; a bit never changes its name within a process. */
  learn(name: string, bit: number): void {
    const had = this.names[bit];
    if (had !== undefined && had !== name) throw new Error(`categories: bit ${bit} is "${had}", not "${name}"`);
    this.bits.set(name, bit);
    this.names[bit] = name;
  }

  /**
   * Learns every bit the store holds, after `allocate` gave each of `names` one (a snapshot is
   * about to use them): the store is passed in, so this module holds no database.
   */
  allocate(allocate: (names: Iterable<string>) => Map<string, number>, names: Iterable<string>): void {
    for (const [name, bit] of allocate(names)) this.learn(name, bit);
  }

  /** The bit of a name, or undefined when no snapshot has used it yet. Never allocates. */
  bit(name: string): number | undefined {
    return this.bits.get(name.toLowerCase());
  }

  name(bit: number): string | undefined {
    return this.names[bit];
  }
}

/** The process-wide registry: lists, policies and statistics agree on bits through it. */
export const categories = new CategoryRegistry();
