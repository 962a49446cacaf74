// The week grid edits hours; a policy stores windows ("mon-fri 07:00-17:00", "sun 21:00-06:00").
// These two functions translate between them. An overnight window belongs to the day it
// starts on (as the resolver evaluates it): Sunday 21:00-06:00 paints Sunday 21-24 and Monday
// 0-6, and painting those cells gives back that one window.

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

export interface Window { days: Day[]; from: string; to: string }

/** 7 x 24 booleans, index day * 24 + hour (day 0 = Monday). */
export type WeekCells = boolean[];

export const emptyCells = (): WeekCells => new Array<boolean>(7 * 24).fill(false);

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const hhmm = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** Cells a set of windows covers; an hour is covered when any minute of it is. */
export function windowsToCells(windows: readonly Window[]): WeekCells {
  const cells = emptyCells();
  const paint = (day: number, fromMin: number, toMin: number) => {
    for (let h = Math.floor(fromMin / 60); h * 60 < toMin && h < 24; h++) cells[day * 24 + h] = true;
  };
  for (const w of windows) {
    const from = minutes(w.from);
    const to = minutes(w.to);
    for (const d of w.days) {
      const day = DAYS.indexOf(d);
      if (day < 0) continue;
      if (from < to) paint(day, from, to);
      else {
        paint(day, from, 24 * 60);
        paint((day + 1) % 7, 0, to);
      }
    }
  }
  return cells;
}

interface Run { day: number; from: number; to: number }

/** The fewest windows that cover exactly the painted cells: runs per day, nights joined, equal times grouped. */
export function cellsToWindows(cells: WeekCells): Window[] {
  const runs: Run[] = [];
  for (let d = 0; d < 7; d++) {
    let start = -1;
    for (let h = 0; h <= 24; h++) {
      const on = h < 24 && cells[d * 24 + h];
      if (on && start < 0) start = h;
      if (!on && start >= 0) {
        runs.push({ day: d, from: start, to: h });
        start = -1;
      }
    }
  }
  // a run to midnight followed by one from midnight becomes one overnight window of the first
  // day; whole days stay whole (00:00-24:00), since joining them would leave no start day
  const merged: Run[] = [];
  const used = new Set<Run>();
  for (const r of runs) {
    if (r.to !== 24 || r.from === 0) continue;
    const next = runs.find((n) => !used.has(n) && n.day === (r.day + 1) % 7 && n.from === 0 && n.to < 24);
    if (!next) continue;
    used.add(r).add(next);
    merged.push({ day: r.day, from: r.from, to: next.to });
  }
  for (const r of runs) if (!used.has(r)) merged.push(r);
  const byTime = new Map<string, Window>();
  for (const r of merged.sort((a, b) => a.day - b.day || a.from - b.from)) {
    const from = hhmm(r.from);
    const to = hhmm(r.to);
    const key = `${from}-${to}`;
    const w = byTime.get(key);
    if (w) w.days.push(DAYS[r.day]);
    else byTime.set(key, { days: [DAYS[r.day]], from, to });
  }
  return [...byTime.values()];
}

/** Cells from (day, hour) a to b, as a rectangle: the shape a drag paints. */
export function cellRange(a: { day: number; hour: number }, b: { day: number; hour: number }): number[] {
  const out: number[] = [];
  const [d0, d1] = a.day <= b.day ? [a.day, b.day] : [b.day, a.day];
  const [h0, h1] = a.hour <= b.hour ? [a.hour, b.hour] : [b.hour, a.hour];
  for (let d = d0; d <= d1; d++) for (let h = h0; h <= h1; h++) out.push(d * 24 + h);
  return out;
}
