// Small-cell suppression. A count from 1 to k-1 can point at one child ("adult: 2 this week"
// in a one-child home), so it is shown as "<k". Zero is shown as 0: that nothing happened is
// about nobody, and a report full of "<5" for empty days would hide real quiet from its readers.
//
// The rule that keeps suppressed cells unrecoverable: every total is the sum of the values
// it totals *as shown*, suppressed ones counted as zero, and is marked partial ("≥ n") when
// it left one out. Every number a view publishes is then a sum of published cells, so no
// subtraction between them can yield a suppressed value. (Two views over overlapping
// selections, e.g. one network and all networks, are separate publications; the report
// publishes one view.)

export interface Cell {
  /** null when suppressed */
  value: number | null;
  suppressed: boolean;
  /** the count, or "<k" */
  display: string;
}

export interface Total {
  /** the sum of the shown cells */
  value: number;
  /** some cells were suppressed: the true total is at least `value` */
  partial: boolean;
  /** "n", or "≥ n" when partial */
  display: string;
}

export function suppress(count: number, below: number): Cell {
  if (count > 0 && count < below) return { value: null, suppressed: true, display: `<${below}` };
  return { value: count, suppressed: false, display: String(count) };
}

export function sumShown(cells: Iterable<Cell>): Total {
  let value = 0;
  let partial = false;
  for (const c of cells) {
    if (c.suppressed) partial = true;
    else value += c.value!;
  }
  return { value, partial, display: partial ? `≥ ${value}` : String(value) };
}
