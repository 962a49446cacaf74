import { Alert, Anchor, Button, Card, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle, IconArrowLeft, IconPlus } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../../app/api-client';
import { notifyError, notifySaved } from '../../../app/notify';
import { useRole } from '../../../app/session';
import { ManagedBadge } from '../../../components/managed-badge';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { usePolicies } from '../../policies/api';
import { NewPolicyModal } from '../../policies/components/new-policy-modal';
import { useNetwork, useSaveNetwork, type Network, type NetworkKind } from '../api';
import { checkCidrLines } from '../cidr-lines';
import { CidrInput } from './cidr-input';
import { DnsSetup } from './dns-setup';

const KINDS: NetworkKind[] = ['school', 'home', 'isp', 'other'];
const DEFAULT_ZONE = 'Asia/Ho_Chi_Minh';

interface Draft { name: string; kind: NetworkKind; cidrs: string; timezone: string; contact: string; policy: string }

const zones = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return [DEFAULT_ZONE, 'UTC'];
  }
})();

function draftOf(n?: Network): Draft {
  return {
    name: n?.name ?? '',
    kind: n?.kind ?? 'school',
    cidrs: (n?.cidrs ?? []).join('\n'),
    timezone: n?.timezone ?? DEFAULT_ZONE,
    contact: n?.contact ?? '',
    policy: n?.policy ?? '',
  };
}

export function NetworkEditPage() {
  const { t } = useTranslation();
  const param = useParams().id;
  const isNew = param === 'new';
  const id = isNew ? NaN : Number(param);
  const q = useNetwork(id);
  const policies = usePolicies();
  const save = useSaveNetwork(isNew ? null : id);
  const { canWrite, isOwner } = useRole();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft | null>(isNew ? draftOf() : null);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [policyModal, policyModalCtl] = useDisclosure();
  useEffect(() => {
    if (q.data) setDraft(draftOf(q.data));
  }, [q.data]);
  const readOnly = !canWrite || q.data?.managed === 'config' || (isNew && !isOwner);
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const submit = () => {
    if (!draft) return;
    const lines = checkCidrLines(draft.cidrs);
    if (!draft.name.trim() || !draft.policy || lines.some((l) => l.error)) return;
    setFieldError(null);
    save.mutate(
      {
        name: draft.name.trim(),
        kind: draft.kind,
        cidrs: lines.map((l) => l.text),
        timezone: draft.timezone,
        contact: draft.contact.trim() || undefined,
        policy: draft.policy,
      },
      {
        onSuccess: (n) => {
          notifySaved(t);
          if (isNew) void navigate(`/networks/${n.id}`, { replace: true });
        },
        onError: (e) => {
          if (e instanceof ApiError && e.field) setFieldError({ field: e.field.replace(/^\/|\[.*$/g, '').split(/[/.]/)[0], message: e.message });
          notifyError(t, e);
        },
      },
    );
  };
  const errFor = (f: string) => (fieldError?.field === f ? fieldError.message : undefined);

  return (
    <QueryState isLoading={!isNew && (q.isLoading || (!!q.data && !draft))} error={isNew ? null : q.error}>
      {draft ? (
        <>
          <Anchor component={Link} to="/networks" size="sm">
            <Group gap={4} component="span">
              <IconArrowLeft size={14} aria-hidden />
              {t('networks.title')}
            </Group>
          </Anchor>
          <PageHeader title={isNew ? t('networks.new') : t('networks.editTitle', { name: q.data?.name ?? '' })} actions={<ManagedBadge managed={q.data?.managed} />} />
          {q.data?.managed === 'config' ? (
            <Alert color="indigo" variant="light" mb="md" icon={<IconAlertTriangle aria-hidden />}>
              {t('common.managedByConfigHint')}
            </Alert>
          ) : null}
          <Stack gap="lg">
            <Card withBorder padding="lg">
              <form
                noValidate
                onSubmit={(e) => {
                  e.preventDefault();
                  submit();
                }}
              >
                <Stack>
                  <SimpleGrid cols={{ base: 1, sm: 2 }}>
                    <TextInput label={t('common.name')} value={draft.name} onChange={(e) => set({ name: e.currentTarget.value })} readOnly={readOnly} required error={errFor('name') ?? (save.isError && !draft.name.trim() ? t('networks.nameRequired') : undefined)} />
                    <Select
                      label={t('networks.kind')}
                      value={draft.kind}
                      allowDeselect={false}
                      readOnly={readOnly}
                      onChange={(v) => v && set({ kind: v as NetworkKind })}
                      data={KINDS.map((k) => ({ value: k, label: t(`networks.kinds.${k}`) }))}
                    />
                  </SimpleGrid>
                  <CidrInput value={draft.cidrs} onChange={(cidrs) => set({ cidrs })} readOnly={readOnly} error={errFor('cidrs')} />
                  <SimpleGrid cols={{ base: 1, sm: 2 }}>
                    <Group align="flex-end" gap="xs" wrap="nowrap">
                      <Select
                        label={t('networks.policy')}
                        placeholder={t('networks.policyPick')}
                        value={draft.policy || null}
                        readOnly={readOnly}
                        required
                        searchable
                        onChange={(v) => set({ policy: v ?? '' })}
                        data={(policies.data ?? []).map((p) => p.name)}
                        error={errFor('policy')}
                        style={{ flex: 1 }}
                      />
                      {!readOnly ? (
                        <Button variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={policyModalCtl.open}>
                          {t('networks.newPolicy')}
                        </Button>
                      ) : null}
                    </Group>
                    <Select label={t('networks.timezone')} description={t('networks.timezoneHint')} value={draft.timezone} readOnly={readOnly} searchable allowDeselect={false} onChange={(v) => v && set({ timezone: v })} data={[...new Set([draft.timezone, ...zones])]} error={errFor('timezone')} />
                  </SimpleGrid>
                  <TextInput label={t('networks.contact')} description={t('networks.contactHint')} value={draft.contact} onChange={(e) => set({ contact: e.currentTarget.value })} readOnly={readOnly} />
                  {!readOnly ? (
                    <Group>
                      <Button type="submit" loading={save.isPending} disabled={!draft.name.trim() || !draft.policy || checkCidrLines(draft.cidrs).some((l) => l.error)}>
                        {isNew ? t('common.create') : t('common.save')}
                      </Button>
                    </Group>
                  ) : null}
                </Stack>
              </form>
            </Card>
            {q.data ? <DnsSetup network={q.data} /> : null}
          </Stack>
          <NewPolicyModal
            opened={policyModal}
            onClose={policyModalCtl.close}
            onCreated={(p) => {
              set({ policy: p.name });
              policyModalCtl.close();
            }}
          />
        </>
      ) : null}
    </QueryState>
  );
}
