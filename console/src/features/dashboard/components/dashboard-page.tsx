import { BarChart } from '@mantine/charts';
import { Alert, Card, Group, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../app/format';
import { Hotline } from '../../../components/hotline';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { useNetworks } from '../../networks/api';
import { useStats, type StatsBody, type StatsFilter } from '../api';

type Total = StatsBody['blocked']['total'];

const COLORS = ['red.7', 'orange.7', 'grape.7', 'violet.7', 'indigo.7', 'blue.7', 'cyan.8', 'teal.8', 'green.8', 'lime.8', 'yellow.8', 'pink.7', 'gray.7'];

const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
function daysAgo(n: number): string {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return iso(d);
}
/** the `to` day is inclusive for people, exclusive for the API */
function dayAfter(s: string): string {
  const d = new Date(`${s}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return iso(d);
}

function StatCard({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} lh={1.2} data-testid={`stat-${label}`}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Card>
  );
}

export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const networks = useNetworks();
  const [range, setRange] = useState<[string, string]>([daysAgo(1), daysAgo(0)]);
  const [granularity, setGranularity] = useState<StatsFilter['granularity']>('hour');
  const [network, setNetwork] = useState<number | null>(null);
  const filter: StatsFilter = { from: range[0], to: dayAfter(range[1]), granularity, network };
  const stats = useStats(filter);
  const blocked = { data: stats.data ? { ...stats.data.blocked, buckets: stats.data.buckets } : undefined };

  const total = (tt: Total | undefined) => (tt ? (tt.partial ? `≥ ${fmt.number(tt.value)}` : fmt.number(tt.value)) : '–');
  const counter = (name: string) => stats.data?.counters.find((r) => r.key === name)?.total;
  const queries = counter('total');
  const hits = counter('cache_hits');
  const seconds = Math.max(1, (new Date(`${filter.to}T00:00:00`).getTime() - new Date(`${filter.from}T00:00:00`).getTime()) / 1000);
  const catLabel = (c: string | null) => (c === null ? t('dashboard.allCategories') : c === '_policy' ? t('dashboard.ownRules') : i18n.exists(`categories.${c}.label`) ? t(`categories.${c}.label`) : c);

  const rows = (blocked.data?.rows ?? []).filter((r) => r.total.value > 0 || r.total.partial);
  const data = (blocked.data?.buckets ?? []).map((b, i) => {
    const point: Record<string, number | string> = { bucket: granularity === 'hour' ? `${fmt.dayMonth(b.startMs)} ${fmt.hour(b.startMs)}` : fmt.dayMonth(b.startMs) };
    for (const r of rows) point[r.key ?? 'all'] = r.cells[i].value ?? 0;
    return point;
  });
  const suppressBelow = stats.data ? `<${stats.data.suppress_below}` : undefined;

  return (
    <Stack>
      <PageHeader title={t('dashboard.title')} description={t('dashboard.intro')} />
      <Card withBorder padding="md">
        <Group align="flex-end" wrap="wrap">
          <DatePickerInput
            type="range"
            label={t('dashboard.range')}
            value={range}
            valueFormat="DD/MM/YYYY"
            maxDate={new Date()}
            allowSingleDateInRange
            onChange={([a, b]) => a && setRange([String(a).slice(0, 10), String(b ?? a).slice(0, 10)])}
            style={{ flex: '1 1 15rem' }}
          />
          <Select
            label={t('dashboard.network')}
            value={network === null ? '' : String(network)}
            onChange={(v) => setNetwork(v ? Number(v) : null)}
            data={[{ value: '', label: t('dashboard.allNetworks') }, ...(networks.data ?? []).map((n) => ({ value: String(n.id), label: n.name }))]}
            allowDeselect={false}
            style={{ flex: '1 1 12rem' }}
          />
          <div>
            <Text size="sm" fw={500} mb={4} id="grain-label">
              {t('dashboard.grain')}
            </Text>
            <SegmentedControl
              aria-labelledby="grain-label"
              value={granularity}
              onChange={(v) => setGranularity(v as StatsFilter['granularity'])}
              data={[
                { value: 'hour', label: t('dashboard.hour') },
                { value: 'day', label: t('dashboard.day') },
              ]}
            />
          </div>
        </Group>
      </Card>
      <QueryState isLoading={stats.isLoading} error={stats.error}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <StatCard label={t('dashboard.blocked')} value={total(blocked.data?.total)} />
          <StatCard label={t('dashboard.queries')} value={total(queries)} />
          <StatCard label={t('dashboard.cacheHitRatio')} value={queries && hits && queries.value > 0 ? fmt.percent(hits.value / queries.value) : '–'} />
          <StatCard label={t('dashboard.queryRate')} value={queries ? t('dashboard.perMinute', { rate: fmt.number(Math.round((queries.value / seconds) * 60 * 10) / 10) }) : '–'} hint={t('dashboard.queryRateHint')} />
        </SimpleGrid>
        <Card withBorder padding="md">
          <Title order={2} size="h4" mb="sm">
            {t('dashboard.chartTitle')}
          </Title>
          {rows.length === 0 ? (
            <Text c="dimmed">{t('dashboard.noBlocks')}</Text>
          ) : (
            <BarChart
              h={300}
              data={data}
              dataKey="bucket"
              type="stacked"
              withLegend
              legendProps={{ verticalAlign: 'bottom' }}
              valueFormatter={(v) => fmt.number(v)}
              series={rows.map((r, i) => ({ name: r.key ?? 'all', label: catLabel(r.key), color: COLORS[i % COLORS.length] }))}
              aria-label={t('dashboard.chartTitle')}
            />
          )}
        </Card>
        <Card withBorder padding="md">
          <Title order={2} size="h4" mb="sm">
            {t('dashboard.byCategory')}
          </Title>
          <Table.ScrollContainer minWidth={320}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('dashboard.category')}</Table.Th>
                  <Table.Th ta="right">{t('dashboard.blocked')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(blocked.data?.rows ?? []).map((r) => (
                  <Table.Tr key={r.key ?? 'all'}>
                    <Table.Td>{catLabel(r.key)}</Table.Td>
                    <Table.Td ta="right" data-testid={`blocked-${r.key ?? 'all'}`}>
                      {r.total.value === 0 && r.total.partial ? r.cells.find((c) => c.suppressed)?.display : total(r.total)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Alert mt="md" variant="light" color="gray" icon={<IconLock aria-hidden />}>
            {t('dashboard.suppressed', { k: suppressBelow ?? '<5' })}
          </Alert>
        </Card>
      </QueryState>
      <Hotline compact />
    </Stack>
  );
}
