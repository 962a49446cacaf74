// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ScheduleEditor } from '../../console/src/features/policies/components/schedule-editor.js';
import { WeekGrid } from '../../console/src/features/policies/components/week-grid.js';
import { groupSchedules, schedulesOf, type ScheduleGroup } from '../../console/src/features/policies/schedule-groups.js';
import { cellsToWindows, emptyCells, windowsToCells, type WeekCells, type Window } from '../../console/src/features/policies/week-cells.js';
import { ScheduleWindow } from '../../resolver/src/policy/schedule-window.js';
import { renderConsole } from '../helpers/console-render.js';

afterEach(cleanup);

const cell = (day: number, hour: number) => day * 24 + hour;
function paint(spec: Array<[day: number, from: number, to: number]>): WeekCells {
  const c = emptyCells();
  for (const [d, f, t] of spec) for (let h = f; h < t; h++) c[cell(d, h)] = true;
  return c;
}

/** What the resolver's own evaluator says about every hour of a week (2026-11-30 is a Monday). */
function engineCells(windows: Window[]): WeekCells {
  const engines = windows.map((w) => new ScheduleWindow('w', w.days, w.from, w.to));
  const out = emptyCells();
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      const date = `2026-12-${String(d + 1 + 0).padStart(2, '0')}`;
      const prev = d === 0 ? '2026-11-30' : `2026-12-${String(d).padStart(2, '0')}`;
      const m = { weekday: d, minute: h * 60 + 30, date, prevDate: prev };
      out[cell(d, h)] = engines.some((e) => e.appliesAt(m));
    }
  }
  return out;
}

describe('week cells and windows', () => {
  it('weekday lessons become one window with five days', () => {
    const cells = paint([[0, 7, 11], [1, 7, 11], [2, 7, 11], [3, 7, 11], [4, 7, 11]]);
    expect(cellsToWindows(cells)).toEqual([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '11:00' }]);
  });

  it('several windows a day stay separate', () => {
    const cells = paint([[0, 7, 11], [0, 13, 17], [1, 7, 11]]);
    expect(cellsToWindows(cells)).toEqual([
      { days: ['mon', 'tue'], from: '07:00', to: '11:00' },
      { days: ['mon'], from: '13:00', to: '17:00' },
    ]);
  });

  it('an evening that runs into the next morning is one overnight window of the evening', () => {
    // Sun-Thu nights 21:00-06:00 (Sunday's night ends Monday morning: the week wraps)
    const nights: Array<[number, number, number]> = [];
    for (const d of [6, 0, 1, 2, 3]) nights.push([d, 21, 24], [(d + 1) % 7, 0, 6]);
    const cells = paint(nights);
    const w = cellsToWindows(cells);
    expect(w).toEqual([{ days: ['mon', 'tue', 'wed', 'thu', 'sun'], from: '21:00', to: '06:00' }]);
    expect(windowsToCells(w)).toEqual(cells);
  });

  it('whole days stay whole and do not swallow the next morning', () => {
    const cells = paint([[5, 0, 24], [6, 0, 8]]);
    expect(cellsToWindows(cells)).toEqual([
      { days: ['sat'], from: '00:00', to: '24:00' },
      { days: ['sun'], from: '00:00', to: '08:00' },
    ]);
  });

  it('the windows mean to the resolver exactly the painted hours', () => {
    const shapes: WeekCells[] = [
      paint([[0, 7, 11], [0, 13, 17], [4, 22, 24], [5, 0, 2]]),
      paint([[6, 20, 24], [0, 0, 7], [2, 0, 24]]),
      paint([[1, 23, 24], [2, 0, 1], [3, 23, 24]]),
    ];
    for (const s of shapes) expect(engineCells(cellsToWindows(s))).toEqual(s);
  });

  it('windows with minutes paint every hour they touch', () => {
    const c = windowsToCells([{ days: ['wed'], from: '07:30', to: '09:15' }]);
    expect([7, 8, 9].every((h) => c[cell(2, h)])).toBe(true);
    expect(c[cell(2, 6)] || c[cell(2, 10)]).toBe(false);
  });
});

describe('schedule groups', () => {
  it('windows named "x", "x (2)" are one schedule; saving an untouched one keeps its minutes', () => {
    const stored = [
      { name: 'lessons', days: ['mon', 'tue'] as Window['days'], from: '07:30', to: '11:30', block: ['games'] },
      { name: 'lessons (2)', days: ['mon'] as Window['days'], from: '13:00', to: '16:45', block: ['games'] },
      { name: 'bedtime', days: ['sun'] as Window['days'], from: '21:00', to: '06:00', block: ['social'] },
    ];
    const groups = groupSchedules(stored);
    expect(groups.map((g) => g.name)).toEqual(['lessons', 'bedtime']);
    const back = schedulesOf(groups);
    expect(back.map((s) => [s.name, s.days, s.from, s.to, s.block])).toEqual(stored.map((s) => [s.name, s.days, s.from, s.to, s.block]));
  });
});

function GridHarness({ start }: { start: WeekCells }) {
  const [cells, setCells] = useState(start);
  return (
    <>
      <WeekGrid label="grid" cells={cells} onChange={setCells} />
      <output data-testid="windows">{JSON.stringify(cellsToWindows(cells))}</output>
    </>
  );
}

const cellEl = (day: string, from: string) => screen.getByRole('button', { name: `${day} ${from} to ${String(Number(from.slice(0, 2)) + 1).padStart(2, '0')}:00` });
const windowsShown = () => JSON.parse(screen.getByTestId('windows').textContent!) as Window[];

describe('week grid', () => {
  it('a drag paints the rectangle between the first and the last cell', async () => {
    await renderConsole(<GridHarness start={emptyCells()} />);
    act(() => {
      fireEvent.pointerDown(cellEl('Monday', '08:00'), { button: 0, pointerId: 1 });
      fireEvent.pointerMove(cellEl('Tuesday', '09:00'), { pointerId: 1 });
      fireEvent.pointerMove(cellEl('Wednesday', '10:00'), { pointerId: 1 });
      fireEvent.pointerUp(cellEl('Wednesday', '10:00'), { pointerId: 1 });
    });
    expect(windowsShown()).toEqual([{ days: ['mon', 'tue', 'wed'], from: '08:00', to: '11:00' }]);
    expect(cellEl('Tuesday', '09:00').getAttribute('aria-pressed')).toBe('true');
    // a drag that starts on a painted cell erases
    act(() => {
      fireEvent.pointerDown(cellEl('Monday', '10:00'), { button: 0, pointerId: 1 });
      fireEvent.pointerMove(cellEl('Wednesday', '10:00'), { pointerId: 1 });
      fireEvent.pointerUp(cellEl('Wednesday', '10:00'), { pointerId: 1 });
    });
    expect(windowsShown()).toEqual([{ days: ['mon', 'tue', 'wed'], from: '08:00', to: '10:00' }]);
  });

  it('clicks make an overnight window: Friday 22-24 and Saturday 0-2', async () => {
    await renderConsole(<GridHarness start={emptyCells()} />);
    for (const [d, h] of [['Friday', '22:00'], ['Friday', '23:00'], ['Saturday', '00:00'], ['Saturday', '01:00']]) {
      act(() => {
        fireEvent.pointerDown(cellEl(d, h), { button: 0, pointerId: 1 });
        fireEvent.pointerUp(cellEl(d, h), { pointerId: 1 });
      });
    }
    expect(windowsShown()).toEqual([{ days: ['fri'], from: '22:00', to: '02:00' }]);
  });

  it('works from the keyboard: one tab stop, arrows move, Space switches', async () => {
    await renderConsole(<GridHarness start={emptyCells()} />);
    const tabbable = screen.getAllByRole('button').filter((b) => b.tabIndex === 0);
    expect(tabbable).toHaveLength(1);
    const first = cellEl('Monday', '00:00');
    act(() => first.focus());
    act(() => { fireEvent.keyDown(first, { key: 'ArrowDown' }); });
    act(() => { fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' }); });
    expect(document.activeElement).toBe(cellEl('Tuesday', '01:00'));
    // Space/Enter on a button is a click with no pointer (detail 0)
    act(() => { fireEvent.click(document.activeElement!, { detail: 0 }); });
    expect(windowsShown()).toEqual([{ days: ['tue'], from: '01:00', to: '02:00' }]);
  });
});

describe('schedule editor', () => {
  it('shows an overnight window in words and in both languages', async () => {
    const groups = groupSchedules([{ name: 'bedtime', days: ['sun', 'mon'], from: '21:00', to: '06:00', block: ['social'] }]);
    function Editor() {
      const [g, setG] = useState<ScheduleGroup[]>(groups);
      return <ScheduleEditor groups={g} onChange={setG} />;
    }
    await renderConsole(<Editor />);
    expect(screen.getByTestId('schedule-windows').textContent).toBe('Mon, Sun 21:00–06:00 (overnight)');
    cleanup();
    await renderConsole(<Editor />, 'vi');
    expect(screen.getByTestId('schedule-windows').textContent).toBe('T2, CN 21:00–06:00 (qua đêm)');
    const grid = screen.getByRole('group', { name: 'Khung giờ của bedtime' });
    expect(within(grid).getByRole('button', { name: 'Thứ Hai từ 03:00 đến 04:00' }).getAttribute('aria-pressed')).toBe('true');
  });
});
