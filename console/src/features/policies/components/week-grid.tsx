import { Box, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { cellRange, DAYS, type WeekCells } from '../week-cells';
import classes from './week-grid.module.css';

interface Props {
  cells: WeekCells;
  onChange: (cells: WeekCells) => void;
  /** cells of the policy's other schedules, shown faintly so overlaps are visible */
  others?: WeekCells;
  readOnly?: boolean;
  label: string;
}

interface Drag { from: { day: number; hour: number }; to: { day: number; hour: number }; value: boolean }

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/**
 * Seven days by 24 hours. Click a cell to switch that hour, or drag across cells to paint a
 * block (the first cell decides whether the drag switches on or off). Keyboard: arrow keys
 * move, Space or Enter switches; one cell is in the tab order at a time.
 */
export function WeekGrid({ cells, onChange, others, readOnly, label }: Props) {
  const { t } = useTranslation();
  const [focus, setFocus] = useState(0);
  // the drag lives in a ref for the handlers (pointer events can outrun renders) and in state for the preview
  const dragRef = useRef<Drag | null>(null);
  const [drag, setDragState] = useState<Drag | null>(null);
  const setDrag = (d: Drag | null) => {
    dragRef.current = d;
    setDragState(d);
  };
  const refs = useRef<Array<HTMLButtonElement | null>>([]);

  const preview = drag ? new Set(cellRange(drag.from, drag.to)) : null;
  const shown = (i: number) => (preview?.has(i) ? drag!.value : cells[i]);

  const commit = () => {
    const d = dragRef.current;
    if (!d) return;
    const next = cells.slice();
    for (const i of cellRange(d.from, d.to)) next[i] = d.value;
    setDrag(null);
    onChange(next);
  };

  // the pointer is released from its first cell on press, so moves target the cell underneath
  const cellAt = (e: PointerEvent) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[data-cell]');
    if (!el) return null;
    const i = Number(el.dataset.cell);
    return { day: Math.floor(i / 24), hour: i % 24 };
  };

  const onKey = (e: KeyboardEvent, i: number) => {
    const day = Math.floor(i / 24);
    const hour = i % 24;
    let next = i;
    if (e.key === 'ArrowRight') next = day * 24 + Math.min(23, hour + 1);
    else if (e.key === 'ArrowLeft') next = day * 24 + Math.max(0, hour - 1);
    else if (e.key === 'ArrowDown') next = Math.min(6, day + 1) * 24 + hour;
    else if (e.key === 'ArrowUp') next = Math.max(0, day - 1) * 24 + hour;
    else if (e.key === 'Home') next = day * 24;
    else if (e.key === 'End') next = day * 24 + 23;
    else return;
    e.preventDefault();
    setFocus(next);
    refs.current[next]?.focus();
  };

  return (
    <ScrollArea type="auto" offsetScrollbars>
      <Box
        className={classes.grid}
        role="group"
        aria-label={label}
        onPointerUp={commit}
        onPointerLeave={commit}
        onPointerMove={(e) => {
          const d = dragRef.current;
          if (!d) return;
          const c = cellAt(e);
          if (c && (c.day !== d.to.day || c.hour !== d.to.hour)) setDrag({ ...d, to: c });
        }}
      >
        <div />
        {HOURS.map((h) => (
          <Text key={h} className={classes.hour} aria-hidden>
            {h}
          </Text>
        ))}
        {DAYS.map((d, day) => (
          <div key={d} className={classes.row}>
            <Text className={classes.day} component="span">
              {t(`days.short.${d}`)}
            </Text>
            {HOURS.map((hour) => {
              const i = day * 24 + hour;
              const on = shown(i);
              return (
                <UnstyledButton
                  key={hour}
                  ref={(el) => {
                    refs.current[i] = el;
                  }}
                  data-cell={i}
                  data-on={on || undefined}
                  data-other={(!on && others?.[i]) || undefined}
                  className={classes.cell}
                  tabIndex={i === focus ? 0 : -1}
                  aria-pressed={on}
                  aria-label={t('schedule.cellLabel', { day: t(`days.long.${d}`), from: `${String(hour).padStart(2, '0')}:00`, to: `${String(hour + 1).padStart(2, '0')}:00` })}
                  disabled={readOnly}
                  onFocus={() => setFocus(i)}
                  onKeyDown={(e) => onKey(e, i)}
                  onClick={(e) => {
                    // pointer clicks are handled by the drag; this is the keyboard's Space/Enter
                    if (e.detail !== 0) return;
                    const next = cells.slice();
                    next[i] = !next[i];
                    onChange(next);
                  }}
                  onPointerDown={(e) => {
                    if (readOnly || e.button > 0) return;
                    e.preventDefault();
                    (e.currentTarget as HTMLElement).releasePointerCapture?.(e.pointerId);
                    setFocus(i);
                    setDrag({ from: { day, hour }, to: { day, hour }, value: !cells[i] });
                  }}
                />
              );
            })}
          </div>
        ))}
      </Box>
    </ScrollArea>
  );
}
