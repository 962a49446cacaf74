import { ActionIcon, Badge, Button, Group, Modal, MultiSelect, PasswordInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyError } from '../../../app/notify';
import { useSession, type Role } from '../../../app/session';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { useNetworks } from '../../networks/api';
import { useAdmins, useCreateAdmin, useDeleteAdmin, type AdminCreate } from '../api';

const ROLES: Role[] = ['owner', 'network-admin', 'viewer'];
const MIN_PASSWORD = 10;

function NewAdminModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const networks = useNetworks();
  const create = useCreateAdmin();
  const [v, setV] = useState<AdminCreate>({ username: '', password: '', role: 'network-admin', networks: [] });
  const shortPassword = v.password.length > 0 && v.password.length < MIN_PASSWORD;
  return (
    <Modal opened={opened} onClose={onClose} title={t('admins.new')} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ ...v, username: v.username.trim() }, { onSuccess: () => { setV({ username: '', password: '', role: 'network-admin', networks: [] }); onClose(); }, onError: (err) => notifyError(t, err) });
        }}
      >
        <Stack>
          <TextInput label={t('login.username')} value={v.username} onChange={(e) => setV({ ...v, username: e.currentTarget.value })} required autoComplete="off" data-autofocus />
          <PasswordInput label={t('login.password')} description={t('admins.passwordHint', { min: MIN_PASSWORD })} value={v.password} onChange={(e) => setV({ ...v, password: e.currentTarget.value })} error={shortPassword ? t('admins.passwordShort', { min: MIN_PASSWORD }) : undefined} required autoComplete="new-password" />
          <Select label={t('admins.role')} description={t(`admins.roleHint.${v.role}`)} value={v.role} onChange={(r) => r && setV({ ...v, role: r as Role })} data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} allowDeselect={false} />
          {v.role !== 'owner' ? (
            <MultiSelect label={t('admins.networks')} description={t(v.role === 'viewer' ? 'admins.networksViewerHint' : 'admins.networksHint')} data={(networks.data ?? []).map((n) => n.name)} value={v.networks} onChange={(networks) => setV({ ...v, networks })} searchable />
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!v.username.trim() || v.password.length < MIN_PASSWORD || (v.role === 'network-admin' && v.networks.length === 0)}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function AdminsPage() {
  const { t } = useTranslation();
  const q = useAdmins();
  const me = useSession().data?.user.username;
  const del = useDeleteAdmin();
  const [opened, { open, close }] = useDisclosure();
  return (
    <Stack>
      <PageHeader
        title={t('admins.title')}
        description={t('admins.intro')}
        actions={
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={open}>
            {t('admins.new')}
          </Button>
        }
      />
      <NewAdminModal opened={opened} onClose={close} />
      <QueryState isLoading={q.isLoading} error={q.error}>
        <Table.ScrollContainer minWidth={520}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('login.username')}</Table.Th>
                <Table.Th>{t('admins.role')}</Table.Th>
                <Table.Th>{t('admins.networks')}</Table.Th>
                <Table.Th>{t('common.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(q.data ?? []).map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td fw={600}>{a.username}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={a.role === 'owner' ? 'grape' : 'gray'}>
                      {t(`roles.${a.role}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{a.role === 'owner' ? t('admins.allNetworks') : a.networks.length ? a.networks.join(', ') : a.role === 'viewer' ? t('admins.allNetworks') : t('common.none')}</Text>
                  </Table.Td>
                  <Table.Td>
                    {a.username !== me ? (
                      <ActionIcon variant="subtle" color="red" aria-label={t('admins.delete', { name: a.username })} onClick={() => window.confirm(t('admins.deleteConfirm', { name: a.username })) && del.mutate(a.id, { onError: (e) => notifyError(t, e) })}>
                        <IconTrash size={16} aria-hidden />
                      </ActionIcon>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
    </Stack>
  );
}
