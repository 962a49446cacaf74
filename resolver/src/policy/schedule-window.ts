import { DateTime } from 'luxon';

// A schedule window ("mon-fri 07:30-11:30", "sun-thu 21:00-06:00") evaluated against a local
// wall-clock moment in the network's time zone. An overnight window belongs to the day it
// starts on: Sunday 21:00-06:00 covers Monday 00:00-06:00, and a holiday on Sunday removes
// that whole night while a holiday on Monday does not.

export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Wall-clock fields of one instant in one time zone. */
export interface LocalMoment {
  /** 0 = Monday ... 6 = Sunday */
  weekday: number;
  /** minutes since local midnight, 0..1439 */
  minute: number;
  /** local date "YYYY-MM-DD" and the day before it (exceptions are dates) */
  date: string;
  prevDate: string;
}

export function localMoment(zone: string, ms: number): LocalMoment {
  const t = DateTime.fromMillis(ms, { zone });
  return {
    weekday: t.weekday - 1,
    minute: t.hour * 60 + t.minute,
    date: t.toISODate()!,
    prevDate: t.minus({ days: 1 }).toISODate()!,
  };
}

/** "HH:MM" (or "24:00") to minutes since midnight. */
export function parseHhmm(s: string): number {
  return Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
}

export function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

export class ScheduleWindow {
  private readonly days: number;
  private readonly from: number;
  private readonly to: number;

  constructor(
    readonly name: string,
    days: readonly string[],
    from: string,
    to: string,
    private readonly exceptions: readonly { from: string; to: string }[] = [],
  ) {
    let mask = 0;
    for (const d of days) mask |= 1 << DAY_NAMES.indexOf(d as (typeof DAY_NAMES)[number]);
    this.days = mask;
    this.from = parseHhmm(from);
    this.to = parseHhmm(to);
  }

  appliesAt(m: LocalMoment): boolean {
    if (this.from < this.to) return this.startsOn(m.weekday, m.date) && m.minute >= this.from && m.minute < this.to;
    if (m.minute >= this.from && this.startsOn(m.weekday, m.date)) return true;
    return m.minute < this.to && this.startsOn((m.weekday + 6) % 7, m.prevDate);
  }

  private startsOn(weekday: number, date: string): boolean {
    if ((this.days & (1 << weekday)) === 0) return false;
    for (const e of this.exceptions) if (date >= e.from && date <= e.to) return false;
    return true;
  }
}
