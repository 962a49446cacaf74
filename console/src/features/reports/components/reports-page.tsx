import { Badge, Button, Card, Group, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { IconCheck, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../app/format';
import { notifyError } from '../../../app/notify';
import { useRole } from '../../../app/session';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { usePolicies } from '../../policies/api';
import { useDecideReport, useReports, type Report, type ReportStatus } from '../api';

function ReportCard({ r, policies }: { r: Report; policies: { value: string; label: string }[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { canWrite } = useRole();
  const decide = useDecideReport();
  const [policy, setPolicy] = useState<string | null>(policies[0]?.value ?? null);
  const chosen = policy ?? policies[0]?.value ?? null;
  const act = (accept: boolean) => decide.mutate({ id: r.id, accept, policy: chosen ? Number(chosen) : undefined }, { onError: (e) => notifyError(t, e) });
  return (
    <Card withBorder padding="md" data-testid={`report-${r.domain}`}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4} style={{ minWidth: 0, flex: '1 1 16rem' }}>
          <Group gap="xs" wrap="wrap">
            <Text fw={700} ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {r.domain}
            </Text>
            <Badge color={r.kind === 'harmful' ? 'red' : 'blue'} variant="light">
              {t(`reports.kind.${r.kind}`)}
            </Badge>
            {r.status !== 'open' ? (
              <Badge color={r.status === 'accepted' ? 'teal' : 'gray'} variant="outline">
                {t(`reports.status.${r.status}`)}
              </Badge>
            ) : null}
          </Group>
          {r.message ? <Text size="sm">“{r.message}”</Text> : null}
          <Text size="xs" c="dimmed">
            {fmt.dateTime(r.created_at)}
            {r.network ? ` · ${r.network}` : ''}
            {r.resolved_by ? ` · ${t('reports.decidedBy', { name: r.resolved_by })}` : ''}
          </Text>
        </Stack>
        {r.status === 'open' && canWrite ? (
          <Group gap="xs" align="flex-end" wrap="wrap">
            <Select
              label={t('reports.policy')}
              value={chosen}
              onChange={setPolicy}
              data={policies}
              allowDeselect={false}
              size="sm"
              w={180}
            />
            <Button size="sm" color="teal" leftSection={<IconCheck size={16} aria-hidden />} onClick={() => act(true)} loading={decide.isPending && decide.variables?.accept} disabled={!chosen}>
              {r.kind === 'harmful' ? t('reports.acceptBlock') : t('reports.acceptAllow')}
            </Button>
            <Button size="sm" variant="default" leftSection={<IconX size={16} aria-hidden />} onClick={() => act(false)} loading={decide.isPending && !decide.variables?.accept}>
              {t('reports.reject')}
            </Button>
          </Group>
        ) : null}
      </Group>
    </Card>
  );
}

export function ReportsPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<ReportStatus | 'all'>('open');
  const q = useReports(status);
  const policies = usePolicies();
  const options = (policies.data ?? []).filter((p) => p.managed !== 'config').map((p) => ({ value: String(p.id), label: p.name }));
  return (
    <Stack>
      <PageHeader title={t('reports.title')} description={t('reports.intro')} />
      <SegmentedControl
        aria-label={t('reports.filter')}
        value={status}
        onChange={(v) => setStatus(v as ReportStatus | 'all')}
        data={(['open', 'accepted', 'rejected', 'all'] as const).map((s) => ({ value: s, label: t(`reports.status.${s}`) }))}
        w="fit-content"
        style={{ maxWidth: '100%' }}
      />
      <QueryState isLoading={q.isLoading} error={q.error}>
        {q.data?.length === 0 ? <Text c="dimmed">{t('reports.empty')}</Text> : null}
        {(q.data ?? []).map((r) => (
          <ReportCard key={r.id} r={r} policies={options} />
        ))}
      </QueryState>
    </Stack>
  );
}
