import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useRole } from '../../../app/session';
import { ManagedBadge } from '../../../components/managed-badge';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { usePolicies } from '../api';
import { NewPolicyModal } from './new-policy-modal';

export function PoliciesPage() {
  const { t } = useTranslation();
  const q = usePolicies();
  const { canWrite } = useRole();
  const [opened, { open, close }] = useDisclosure();
  const navigate = useNavigate();
  return (
    <>
      <PageHeader
        title={t('policies.title')}
        description={t('policies.intro')}
        actions={
          canWrite ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={open}>
              {t('policies.new')}
            </Button>
          ) : null
        }
      />
      <NewPolicyModal opened={opened} onClose={close} onCreated={(p) => void navigate(`/policies/${p.id}`)} />
      <QueryState isLoading={q.isLoading} error={q.error}>
        {q.data?.length === 0 ? <Text>{t('policies.empty')}</Text> : null}
        <Table.ScrollContainer minWidth={480}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('common.name')}</Table.Th>
                <Table.Th>{t('policies.colCategories')}</Table.Th>
                <Table.Th>{t('policies.colSchedules')}</Table.Th>
                <Table.Th>{t('policies.colRules')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(q.data ?? []).map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <Group gap="xs" wrap="wrap">
                      <Anchor component={Link} to={`/policies/${p.id}`} fw={600}>
                        {p.name}
                      </Anchor>
                      <ManagedBadge managed={p.managed} />
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {(p.block ?? []).slice(0, 6).map((c) => (
                        <Badge key={c} variant="light" color="gray" size="sm">
                          {t(`categories.${c}.label`, { defaultValue: c })}
                        </Badge>
                      ))}
                      {(p.block ?? []).length > 6 ? <Text size="sm">+{(p.block ?? []).length - 6}</Text> : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>{(p.schedules ?? []).length}</Table.Td>
                  <Table.Td>{(p.deny ?? []).length + (p.allow ?? []).length}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
    </>
  );
}
