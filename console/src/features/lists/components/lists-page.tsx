import { Alert, Badge, Button, Card, Group, Modal, Progress, Select, Stack, Switch, Table, Tabs, Text, TextInput, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../app/format';
import { notifyError } from '../../../app/notify';
import { useRole } from '../../../app/session';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { categoryNames } from '../../policies/components/category-toggles';
import { useAddSource, useCatalog, useEnableCatalog, useLists, useRefreshJob, useRefreshNow, useSetEnabled, type ListSource, type SourceFormat } from '../api';

const FORMATS: SourceFormat[] = ['auto', 'hosts', 'domains', 'adblock', 'dnsmasq', 'rpz', 'regex'];

function useCategoryLabel() {
  const { t, i18n } = useTranslation();
  return (c: string) => (i18n.exists(`categories.${c}.label`) ? t(`categories.${c}.label`) : c);
}

function AddSourceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const catLabel = useCategoryLabel();
  const add = useAddSource();
  const [v, setV] = useState({ name: '', category: 'custom', source: '', format: 'auto' as SourceFormat });
  const okSource = /^https?:\/\/\S+$/.test(v.source.trim());
  return (
    <Modal opened={opened} onClose={onClose} title={t('lists.add')} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ ...v, name: v.name.trim(), source: v.source.trim() }, { onSuccess: onClose, onError: (err) => notifyError(t, err) });
        }}
      >
        <Stack>
          <TextInput label={t('common.name')} value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} required data-autofocus />
          <TextInput
            label={t('lists.source')}
            description={t('lists.sourceHint')}
            value={v.source}
            onChange={(e) => setV({ ...v, source: e.currentTarget.value })}
            error={v.source && !okSource ? t('lists.sourceInvalid') : undefined}
            required
          />
          <Select label={t('lists.category')} value={v.category} onChange={(c) => c && setV({ ...v, category: c })} data={categoryNames().map((c) => ({ value: c, label: catLabel(c) }))} allowDeselect={false} searchable />
          <Select label={t('lists.format')} value={v.format} onChange={(f) => f && setV({ ...v, format: f as SourceFormat })} data={FORMATS.map((f) => ({ value: f, label: t(`lists.formats.${f}`) }))} allowDeselect={false} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={add.isPending} disabled={!v.name.trim() || !okSource}>
              {t('lists.addSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function SourcesTable({ rows, onJob }: { rows: ListSource[]; onJob: (id: number) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const catLabel = useCategoryLabel();
  const { isOwner } = useRole();
  const setEnabled = useSetEnabled();
  const refresh = useRefreshNow();
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table striped verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('common.name')}</Table.Th>
            <Table.Th>{t('lists.category')}</Table.Th>
            <Table.Th>{t('lists.status')}</Table.Th>
            <Table.Th>{t('lists.lastRefresh')}</Table.Th>
            <Table.Th ta="right">{t('lists.entries')}</Table.Th>
            <Table.Th ta="right">{t('lists.invalid')}</Table.Th>
            <Table.Th>{t('common.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((s) => (
            <Table.Tr key={s.id} data-testid={`list-${s.name}`}>
              <Table.Td>
                <Text fw={600} size="sm">
                  {s.name}
                </Text>
                <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }} maw={260}>
                  {s.source}
                </Text>
              </Table.Td>
              <Table.Td>{catLabel(s.category)}</Table.Td>
              <Table.Td>
                {!s.enabled ? (
                  <Badge color="gray" variant="light">
                    {t('lists.off')}
                  </Badge>
                ) : s.last_error ? (
                  <Tooltip label={s.last_error} multiline w={300}>
                    <Badge color="red" variant="light" tabIndex={0}>
                      {t('lists.failing')}
                    </Badge>
                  </Tooltip>
                ) : (
                  <Badge color="teal" variant="light">
                    {t('lists.ok')}
                  </Badge>
                )}
                {s.last_error ? (
                  <Text size="xs" c="red.9" maw={240} style={{ overflowWrap: 'anywhere' }}>
                    {s.last_error}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{s.last_success_at ? fmt.dateTime(s.last_success_at) : t('common.never')}</Text>
              </Table.Td>
              <Table.Td ta="right">{fmt.number(s.entries.block + s.entries.allow + s.entries.regex)}</Table.Td>
              <Table.Td ta="right">{fmt.number(s.invalid)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Switch
                    checked={s.enabled}
                    disabled={!isOwner || s.managed !== 'api'}
                    onChange={(e) => setEnabled.mutate({ id: s.id, enabled: e.currentTarget.checked }, { onError: (err) => notifyError(t, err) })}
                    aria-label={t('lists.enableOne', { name: s.name })}
                  />
                  {isOwner ? (
                    <Tooltip label={t('lists.refreshOne', { name: s.name })}>
                      <Button size="compact-sm" variant="subtle" onClick={() => refresh.mutate(s.id, { onSuccess: (j) => onJob(j.id) })} aria-label={t('lists.refreshOne', { name: s.name })} disabled={!s.enabled}>
                        <IconRefresh size={16} aria-hidden />
                      </Button>
                    </Tooltip>
                  ) : null}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Catalog() {
  const { t } = useTranslation();
  const catLabel = useCategoryLabel();
  const q = useCatalog();
  const lists = useLists();
  const enable = useEnableCatalog();
  const { isOwner } = useRole();
  
  return (
    <QueryState isLoading={q.isLoading} error={q.error}>
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          {t('lists.catalogIntro')}
        </Text>
        {(q.data ?? []).map((c) => (
          <Card key={c.name} withBorder padding="sm">
            <Group justify="space-between" wrap="wrap">
              <Stack gap={2} style={{ flex: '1 1 18rem', minWidth: 0 }}>
                <Group gap="xs">
                  <Text fw={600}>{c.name}</Text>
                  <Badge variant="light" color="gray">
                    {catLabel(c.category)}
                  </Badge>
                  {c.license ? (
                    <Text size="xs" c="dimmed">
                      {t('lists.license', { license: c.license })}
                    </Text>
                  ) : null}
                </Group>
                {c.description ? <Text size="sm">{c.description}</Text> : null}
              </Stack>
              {c.source_id !== null ? (
                <Badge color="teal" variant="light">
                  {t('lists.added')}
                </Badge>
              ) : isOwner ? (
                <Button size="xs" variant="light" onClick={() => enable.mutate(c.name, { onError: (e) => notifyError(t, e) })} loading={enable.isPending && enable.variables === c.name}>
                  {t('lists.enable')}
                </Button>
              ) : null}
            </Group>
          </Card>
        ))}
      </Stack>
    </QueryState>
  );
}

export function ListsPage() {
  const { t } = useTranslation();
  const q = useLists();
  const { isOwner } = useRole();
  const [opened, { open, close }] = useDisclosure();
  const refresh = useRefreshNow();
  const [job, setJob] = useState<number | null>(null);
  const p = useRefreshJob(job).data;
  const running = refresh.isPending || p?.state === 'running';
  return (
    <Stack>
      <PageHeader
        title={t('lists.title')}
        description={t('lists.intro')}
        actions={
          isOwner ? (
            <>
              <Button variant="light" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => refresh.mutate(null, { onSuccess: (j) => setJob(j.id), onError: (e) => notifyError(t, e) })} loading={running}>
                {t('lists.refreshAll')}
              </Button>
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={open}>
                {t('lists.add')}
              </Button>
            </>
          ) : null
        }
      />
      {p && p.state === 'failed' ? <Alert color="red">{p.error}</Alert> : null}
      {running && p ? (
        <Card withBorder padding="sm" aria-live="polite">
          <Text size="sm" mb={4}>
            {t('lists.refreshing', { done: p.fetched, total: p.total, current: t(`lists.phase.${p.phase}`) })}
          </Text>
          <Progress value={p.phase === 'compiling' ? 95 : p.total ? (p.fetched / p.total) * 90 : 5} animated aria-label={t('lists.progress')} />
        </Card>
      ) : null}
      <AddSourceModal opened={opened} onClose={close} />
      <Tabs defaultValue="sources" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="sources">{t('lists.sources')}</Tabs.Tab>
          <Tabs.Tab value="catalog">{t('lists.catalog')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="sources">
          <QueryState isLoading={q.isLoading} error={q.error}>
            {q.data?.length === 0 ? <Alert color="gray">{t('lists.empty')}</Alert> : <SourcesTable rows={q.data ?? []} onJob={setJob} />}
          </QueryState>
        </Tabs.Panel>
        <Tabs.Panel value="catalog">
          <Catalog />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
