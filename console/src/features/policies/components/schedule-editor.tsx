import { ActionIcon, Button, Card, Group, MultiSelect, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cellsToWindows, DAYS, emptyCells, type WeekCells, type Window } from '../week-cells';
import { newKey, type ScheduleGroup } from '../schedule-groups';
import { categoryNames } from './category-toggles';
import { ServiceGrid } from './service-grid';
import { WeekGrid } from './week-grid';

interface Props {
  groups: ScheduleGroup[];
  onChange: (g: ScheduleGroup[]) => void;
  readOnly?: boolean;
}

function union(groups: readonly ScheduleGroup[], except: string): WeekCells {
  const out = emptyCells();
  for (const g of groups) if (g.key !== except) g.cells.forEach((c, i) => { if (c) out[i] = true; });
  return out;
}

function useWindowText() {
  const { t } = useTranslation();
  return (w: Window) => {
    const days = w.days.length === 7 ? t('days.everyDay') : [...w.days].sort((a, b) => DAYS.indexOf(a) - DAYS.indexOf(b)).map((d) => t(`days.short.${d}`)).join(', ');
    const overnight = w.from >= w.to && w.to !== '24:00';
    return `${days} ${w.from}–${w.to}${overnight ? ` (${t('schedule.overnight')})` : ''}`;
  };
}

const toIso = (d: Date | string | null) => (d == null ? '' : typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);

/** Named time windows of a policy (lessons, homework, bedtime) with what each blocks, and the days they are off. */
export function ScheduleEditor({ groups, onChange, readOnly }: Props) {
  const { t, i18n } = useTranslation();
  const [active, setActive] = useState<string | null>(groups[0]?.key ?? null);
  const windowText = useWindowText();
  const current = groups.find((g) => g.key === active) ?? groups[0];
  const update = (patch: Partial<ScheduleGroup>) => onChange(groups.map((g) => (g.key === current.key ? { ...g, ...patch } : g)));

  const add = () => {
    let n = groups.length + 1;
    while (groups.some((g) => g.name === t('schedule.defaultName', { n }))) n++;
    const g: ScheduleGroup = { key: newKey(), name: t('schedule.defaultName', { n }), block: [], services: [], deny: [], allow: [], except: [], cells: emptyCells(), windows: null };
    onChange([...groups, g]);
    setActive(g.key);
  };

  const categoryOptions = categoryNames(current?.block ?? []).map((c) => ({ value: c, label: i18n.exists(`categories.${c}.label`) ? t(`categories.${c}.label`) : c }));

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={640}>
          {t('schedule.intro')}
        </Text>
        {!readOnly ? (
          <Button leftSection={<IconPlus size={16} aria-hidden />} variant="light" onClick={add}>
            {t('schedule.add')}
          </Button>
        ) : null}
      </Group>
      {!current ? (
        <Text>{t('schedule.none')}</Text>
      ) : (
        <>
          <Tabs value={current.key} onChange={setActive} variant="pills" keepMounted={false}>
            <Tabs.List>
              {groups.map((g) => (
                <Tabs.Tab key={g.key} value={g.key}>
                  {g.name || t('schedule.unnamed')}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
          <Card withBorder padding="md">
            <Stack>
              <Group align="flex-end" wrap="wrap">
                <TextInput
                  label={t('schedule.name')}
                  value={current.name}
                  onChange={(e) => update({ name: e.currentTarget.value })}
                  readOnly={readOnly}
                  required
                  style={{ flex: '1 1 14rem' }}
                />
                {!readOnly ? (
                  <Button
                    color="red"
                    variant="light"
                    leftSection={<IconTrash size={16} aria-hidden />}
                    onClick={() => {
                      const rest = groups.filter((g) => g.key !== current.key);
                      onChange(rest);
                      setActive(rest[0]?.key ?? null);
                    }}
                  >
                    {t('schedule.remove')}
                  </Button>
                ) : null}
              </Group>
              <div>
                <Title order={2} size="h5" mb={4}>
                  {t('schedule.hours')}
                </Title>
                <Text size="sm" c="dimmed" mb="xs">
                  {t('schedule.gridHelp')}
                </Text>
                <WeekGrid
                  label={t('schedule.gridLabel', { name: current.name })}
                  cells={current.cells}
                  others={union(groups, current.key)}
                  readOnly={readOnly}
                  onChange={(cells) => update({ cells, windows: null })}
                />
                <Text size="sm" mt="xs" data-testid="schedule-windows">
                  {(current.windows ?? cellsToWindows(current.cells)).map(windowText).join(' · ') || t('schedule.noHours')}
                </Text>
              </div>
              <MultiSelect
                label={t('schedule.blocks')}
                description={t('schedule.blocksHint')}
                data={categoryOptions}
                value={current.block}
                onChange={(block) => update({ block })}
                readOnly={readOnly}
                searchable
                clearable={!readOnly}
              />
              <div>
                <Title order={2} size="h5" mb="xs">
                  {t('schedule.services')}
                </Title>
                <ServiceGrid idPrefix={`sched-${current.key}`} value={current.services} onChange={(services) => update({ services })} readOnly={readOnly} />
              </div>
              <div>
                <Title order={2} size="h5" mb={4}>
                  {t('schedule.exceptions')}
                </Title>
                <Text size="sm" c="dimmed" mb="xs">
                  {t('schedule.exceptionsHint')}
                </Text>
                <Stack gap="xs">
                  {current.except.map((e, i) => (
                    <Group key={i} align="flex-end" wrap="wrap">
                      <TextInput
                        label={t('schedule.exceptionName')}
                        value={e.name ?? ''}
                        readOnly={readOnly}
                        onChange={(ev) => update({ except: current.except.map((x, k) => (k === i ? { ...x, name: ev.currentTarget.value } : x)) })}
                        style={{ flex: '1 1 10rem' }}
                      />
                      <DatePickerInput
                        type="range"
                        label={t('schedule.exceptionDates')}
                        value={[e.from, e.to]}
                        readOnly={readOnly}
                        allowSingleDateInRange
                        valueFormat="DD/MM/YYYY"
                        onChange={([from, to]) => update({ except: current.except.map((x, k) => (k === i ? { ...x, from: toIso(from), to: toIso(to ?? from) } : x)) })}
                        style={{ flex: '1 1 14rem' }}
                      />
                      {!readOnly ? (
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          size="lg"
                          aria-label={t('schedule.exceptionRemove', { name: e.name || `${e.from}–${e.to}` })}
                          onClick={() => update({ except: current.except.filter((_, k) => k !== i) })}
                        >
                          <IconTrash size={18} aria-hidden />
                        </ActionIcon>
                      ) : null}
                    </Group>
                  ))}
                  {!readOnly ? (
                    <Button
                      variant="subtle"
                      leftSection={<IconPlus size={16} aria-hidden />}
                      onClick={() => {
                        const today = toIso(new Date());
                        update({ except: [...current.except, { name: '', from: today, to: today }] });
                      }}
                      w="fit-content"
                    >
                      {t('schedule.exceptionAdd')}
                    </Button>
                  ) : null}
                </Stack>
              </div>
            </Stack>
          </Card>
        </>
      )}
    </Stack>
  );
}

