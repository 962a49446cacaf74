// Statistics are bucketed by UTC hour and UTC day, stored as integers since the epoch:
// compact keys, trivial range arithmetic, no time-zone ambiguity at daylight-saving edges.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function epochHour(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

export function epochDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** `YYYY-MM-DD` (UTC) to the epoch ms of that day's start; throws on anything else. */
export function parseIsoDay(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new Error(`stats: "${text}" is not a date (YYYY-MM-DD)`);
  }
  return ms;
}

/** `YYYY-MM-DD` for an epoch day. */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:00Z` for an epoch hour. */
export function isoHour(hour: number): string {
  return new Date(hour * HOUR_MS).toISOString().slice(0, 13) + ':00Z';
}
