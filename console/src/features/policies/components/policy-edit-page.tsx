import { Alert, Anchor, Button, Card, Group, NumberInput, Select, Stack, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconArrowLeft } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { SafeSearchConfig } from '../../../../../resolver/src/config/config-schema';
import { notifyError, notifySaved } from '../../../app/notify';
import { useRole } from '../../../app/session';
import { ManagedBadge } from '../../../components/managed-badge';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { policyBody, usePolicy, useSavePolicy, type Policy, type PolicyBody } from '../api';
import { groupSchedules, schedulesOf, type ScheduleGroup } from '../schedule-groups';
import { CategoryToggles } from './category-toggles';
import { RuleEditor, rulesFromText } from './rule-editor';
import { SafeSearchFields } from './safe-search-fields';
import { ScheduleEditor } from './schedule-editor';
import { ServiceGrid } from './service-grid';

interface Draft {
  name: string;
  description: string;
  block: string[];
  services: string[];
  allowText: string;
  denyText: string;
  safe_search: SafeSearchConfig;
  block_mode: NonNullable<PolicyBody['block_mode']>;
  blockIpsText: string;
  block_ttl: number;
  groups: ScheduleGroup[];
}

function draftOf(p: Policy): Draft {
  return {
    name: p.name,
    description: p.description ?? '',
    block: [...(p.block ?? [])],
    services: [...(p.services ?? [])],
    allowText: (p.allow ?? []).join('\n'),
    denyText: (p.deny ?? []).join('\n'),
    safe_search: { ...(p.safe_search ?? {}) },
    block_mode: p.block_mode ?? 'nxdomain',
    blockIpsText: (p.block_ips ?? []).join('\n'),
    block_ttl: p.block_ttl ?? 60,
    groups: groupSchedules(p.schedules ?? []),
  };
}

function bodyOf(d: Draft, p: Policy): PolicyBody {
  const withServices = 'services' in p;
  return {
    ...policyBody(p),
    name: d.name.trim(),
    description: d.description,
    block: d.block,
    ...(withServices ? { services: d.services } : {}),
    allow: rulesFromText(d.allowText, 'allow').rules,
    deny: rulesFromText(d.denyText, 'deny').rules,
    safe_search: d.safe_search,
    block_mode: d.block_mode,
    block_ips: d.block_mode === 'custom' ? d.blockIpsText.split(/[\s,]+/).filter(Boolean) : [],
    block_ttl: d.block_ttl,
    schedules: schedulesOf(d.groups, withServices),
  };
}

export function PolicyEditPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const q = usePolicy(id);
  const { canWrite } = useRole();
  const save = useSavePolicy(id);
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => {
    if (q.data) setDraft(draftOf(q.data));
  }, [q.data]);
  const readOnly = !canWrite || q.data?.managed === 'config';
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const invalid = draft ? rulesFromText(draft.allowText, 'allow').invalid + rulesFromText(draft.denyText, 'deny').invalid : 0;
  const onSave = () => {
    if (!draft || !q.data) return;
    if (invalid) return notifyError(t, new Error(t('rules.fixFirst', { count: invalid })));
    if (draft.groups.some((g) => !g.name.trim())) return notifyError(t, new Error(t('schedule.nameRequired')));
    save.mutate(bodyOf(draft, q.data), { onSuccess: () => notifySaved(t), onError: (e) => notifyError(t, e) });
  };

  return (
    <QueryState isLoading={q.isLoading || (!!q.data && !draft)} error={q.error}>
      {draft && q.data ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSave();
          }}
        >
          <Anchor component={Link} to="/policies" size="sm">
            <Group gap={4} component="span">
              <IconArrowLeft size={14} aria-hidden />
              {t('policies.title')}
            </Group>
          </Anchor>
          <PageHeader
            title={t('policies.editTitle', { name: q.data.name })}
            actions={
              <>
                <ManagedBadge managed={q.data.managed} />
                {!readOnly ? (
                  <Button type="submit" loading={save.isPending}>
                    {t('common.save')}
                  </Button>
                ) : null}
              </>
            }
          />
          {q.data.managed === 'config' ? (
            <Alert color="indigo" variant="light" mb="md" icon={<IconAlertTriangle aria-hidden />}>
              {t('common.managedByConfigHint')}
            </Alert>
          ) : null}
          <Tabs defaultValue="categories" keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="categories">{t('policies.tabCategories')}</Tabs.Tab>
              <Tabs.Tab value="services">{t('policies.tabServices')}</Tabs.Tab>
              <Tabs.Tab value="rules">{t('policies.tabRules')}</Tabs.Tab>
              <Tabs.Tab value="schedules">{t('policies.tabSchedules')}</Tabs.Tab>
              <Tabs.Tab value="safe">{t('policies.tabSafeSearch')}</Tabs.Tab>
              <Tabs.Tab value="general">{t('policies.tabGeneral')}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="categories">
              <Stack>
                <Text c="dimmed">{t('policies.categoriesIntro')}</Text>
                <CategoryToggles idPrefix="policy" value={draft.block} onChange={(block) => set({ block })} readOnly={readOnly} />
                <Card withBorder bg="gray.0">
                  <Title order={2} size="h5" mb="xs">
                    {t('bypass.title')}
                  </Title>
                  <Text size="sm">{t('bypass.text')}</Text>
                  <Text size="sm" mt="xs">
                    {t('bypass.limits')}
                  </Text>
                </Card>
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="services">
              <Stack>
                <Text c="dimmed">{t('services.intro')}</Text>
                <ServiceGrid idPrefix="policy" value={draft.services} onChange={(services) => set({ services })} readOnly={readOnly} />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="rules">
              <Stack gap="xl">
                <Text c="dimmed">{t('rules.intro')}</Text>
                <RuleEditor kind="deny" text={draft.denyText} onText={(denyText) => set({ denyText })} readOnly={readOnly} />
                <RuleEditor kind="allow" text={draft.allowText} onText={(allowText) => set({ allowText })} readOnly={readOnly} />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="schedules">
              <ScheduleEditor groups={draft.groups} onChange={(groups) => set({ groups })} readOnly={readOnly} />
            </Tabs.Panel>
            <Tabs.Panel value="safe">
              <Stack>
                <Text c="dimmed">{t('safeSearch.intro')}</Text>
                <SafeSearchFields value={draft.safe_search} onChange={(safe_search) => set({ safe_search })} readOnly={readOnly} />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="general">
              <Stack maw={560}>
                <TextInput label={t('common.name')} value={draft.name} onChange={(e) => set({ name: e.currentTarget.value })} readOnly={readOnly} required />
                <Textarea label={t('policies.description')} value={draft.description} onChange={(e) => set({ description: e.currentTarget.value })} readOnly={readOnly} autosize minRows={2} />
                <Select
                  label={t('blockMode.label')}
                  description={t(`blockMode.${draft.block_mode}Hint`)}
                  value={draft.block_mode}
                  allowDeselect={false}
                  readOnly={readOnly}
                  onChange={(v) => v && set({ block_mode: v as Draft['block_mode'] })}
                  data={(['nxdomain', 'null', 'refused', 'custom'] as const).map((m) => ({ value: m, label: t(`blockMode.${m}`) }))}
                />
                {draft.block_mode === 'custom' ? (
                  <Textarea
                    label={t('blockMode.ips')}
                    description={t('blockMode.ipsHint')}
                    value={draft.blockIpsText}
                    onChange={(e) => set({ blockIpsText: e.currentTarget.value })}
                    readOnly={readOnly}
                    autosize
                    minRows={2}
                  />
                ) : null}
                <NumberInput label={t('blockMode.ttl')} description={t('blockMode.ttlHint')} min={0} max={86400} value={draft.block_ttl} readOnly={readOnly} onChange={(v) => set({ block_ttl: Number(v) || 0 })} />
              </Stack>
            </Tabs.Panel>
          </Tabs>
        </form>
      ) : null}
    </QueryState>
  );
}
