import type { Schedule } from './api';
import { cellsToWindows, windowsToCells, type Window, type WeekCells } from './week-cells';

// One schedule as a person thinks of it ("lessons": these hours, these blocks) may need several
// stored windows (mornings and afternoons, an evening and the night after it). The editor
// works on groups; stored windows of a group are named "lessons", "lessons (2)", …

export interface ExceptionRange { from: string; to: string; name?: string }

export interface ScheduleGroup {
  key: string;
  name: string;
  block: string[];
  services: string[];
  deny: string[];
  allow: string[];
  except: ExceptionRange[];
  cells: WeekCells;
  /** the stored windows as loaded; kept verbatim (minutes and all) until the grid is edited */
  windows: Window[] | null;
}

const SUFFIX = / \((\d+)\)$/;
let seq = 0;
export const newKey = () => `g${++seq}`;

export function groupSchedules(schedules: readonly Schedule[]): ScheduleGroup[] {
  const groups = new Map<string, ScheduleGroup>();
  for (const s of schedules) {
    const base = s.name.replace(SUFFIX, '');
    const w: Window = { days: [...s.days] as Window['days'], from: s.from, to: s.to };
    const g = groups.get(base);
    if (g) {
      g.windows!.push(w);
      continue;
    }
    groups.set(base, {
      key: newKey(),
      name: base,
      block: [...(s.block ?? [])],
      services: [...(s.services ?? [])],
      deny: [...(s.deny ?? [])],
      allow: [...(s.allow ?? [])],
      except: (s.except ?? []).map((e) => ({ ...e })),
      cells: [],
      windows: [w],
    });
  }
  for (const g of groups.values()) g.cells = windowsToCells(g.windows!);
  return [...groups.values()];
}

/** `withServices`: the server knows app toggles (older ones refuse the field). */
export function schedulesOf(groups: readonly ScheduleGroup[], withServices = true): Schedule[] {
  return groups.flatMap((g) => {
    const windows = g.windows ?? cellsToWindows(g.cells);
    return windows.map((w, i) => ({
      name: i === 0 ? g.name : `${g.name} (${i + 1})`,
      days: w.days,
      from: w.from,
      to: w.to,
      block: g.block,
      ...(withServices ? { services: g.services } : {}),
      deny: g.deny,
      allow: g.allow,
      except: g.except,
    }));
  });
}
