// Every configuration problem, collected before any is reported, so an operator fixes a file
// in one pass. A problem names its field in one style (`policies[0].schedules[1].from`) and,
// when the value came from the environment, the variable that set it.

/** `/policies/0/block_mode` (a JSON pointer, as the schema reports) -> `policies[0].block_mode` */
export function fieldFromPointer(pointer: string): string {
  let out = '';
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}

export class ConfigProblems {
  readonly list: string[] = [];
  private readonly fields = new Set<string>();

  /** `envFields`: the fields set from the environment, by the variable that set them */
  constructor(private readonly envFields: ReadonlyMap<string, string> = new Map()) {}

  /** One problem of `field` (empty for the whole file); a second one for the same field is dropped. */
  add(field: string, message: string): void {
    if (this.fields.has(field)) return;
    this.fields.add(field);
    this.list.push(`${this.label(field)}: ${message}`);
  }

  /** Whether `field` or anything inside it already has a problem (later checks skip it). */
  has(field: string): boolean {
    for (const f of this.fields) if (f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`)) return true;
    return false;
  }

  get length(): number {
    return this.list.length;
  }

  private label(field: string): string {
    if (field === '') return '(top level)';
    for (const [f, variable] of this.envFields) {
      if (field === f || field.startsWith(`${f}[`) || field.startsWith(`${f}.`)) return `${variable} (${field})`;
    }
    return field;
  }
}
