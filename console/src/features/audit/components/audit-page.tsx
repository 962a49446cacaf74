import { Badge, Code, Group, Pagination, Spoiler, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../app/format';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { useAudit } from '../api';

const PAGE = 25;

function Change({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  if (before == null && after == null) return null;
  return (
    <Spoiler maxHeight={0} showLabel={t('audit.showChange')} hideLabel={t('audit.hideChange')}>
      <Stack gap={4}>
        {before != null ? (
          <div>
            <Text size="xs" fw={600}>
              {t('audit.before')}
            </Text>
            <Code block>{JSON.stringify(before, null, 2)}</Code>
          </div>
        ) : null}
        {after != null ? (
          <div>
            <Text size="xs" fw={600}>
              {t('audit.after')}
            </Text>
            <Code block>{JSON.stringify(after, null, 2)}</Code>
          </div>
        ) : null}
      </Stack>
    </Spoiler>
  );
}

export function AuditPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [page, setPage] = useState(1);
  const [actor, setActor] = useState('');
  const [debounced] = useDebouncedValue(actor.trim(), 300);
  const q = useAudit({ limit: PAGE, offset: (page - 1) * PAGE, username: debounced || undefined });
  return (
    <Stack>
      <PageHeader title={t('audit.title')} description={t('audit.intro')} />
      <Group>
        <TextInput label={t('audit.filterActor')} value={actor} onChange={(e) => { setActor(e.currentTarget.value); setPage(1); }} />
      </Group>
      <QueryState isLoading={q.isLoading} error={q.error}>
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('audit.when')}</Table.Th>
                <Table.Th>{t('audit.who')}</Table.Th>
                <Table.Th>{t('audit.what')}</Table.Th>
                <Table.Th>{t('audit.change')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(q.data?.entries ?? []).map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Text size="sm">{fmt.dateTime(e.at)}</Text>
                  </Table.Td>
                  <Table.Td>{e.username}</Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      <Badge variant="light" color="gray">
                        {e.action}
                      </Badge>
                      <Text size="sm">
                        {e.target_type}
                        {e.target_name ?? e.target_id ? `: ${e.target_name ?? e.target_id}` : ''}
                      </Text>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Change before={e.before} after={e.after} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {q.data && q.data.total > PAGE ? <Pagination total={Math.ceil(q.data.total / PAGE)} value={page} onChange={setPage} getControlProps={(c) => ({ 'aria-label': t(`audit.page.${c}`) })} getItemProps={(p) => ({ 'aria-label': t('audit.pageN', { page: p }) })} /> : null}
        {q.data?.entries.length === 0 ? <Text c="dimmed">{t('audit.empty')}</Text> : null}
      </QueryState>
    </Stack>
  );
}
