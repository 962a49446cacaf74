import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useRole } from '../../../app/session';
import { ManagedBadge } from '../../../components/managed-badge';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { useNetworks } from '../api';

export function NetworksPage() {
  const { t } = useTranslation();
  const q = useNetworks();
  const { isOwner } = useRole();
  return (
    <>
      <PageHeader
        title={t('networks.title')}
        description={t('networks.intro')}
        actions={
          isOwner ? (
            <Button component={Link} to="/networks/new" leftSection={<IconPlus size={16} aria-hidden />}>
              {t('networks.new')}
            </Button>
          ) : null
        }
      />
      <QueryState isLoading={q.isLoading} error={q.error}>
        {q.data?.length === 0 ? <Text>{t('networks.empty')}</Text> : null}
        <Table.ScrollContainer minWidth={560}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('common.name')}</Table.Th>
                <Table.Th>{t('networks.kind')}</Table.Th>
                <Table.Th>{t('networks.cidrs')}</Table.Th>
                <Table.Th>{t('networks.policy')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(q.data ?? []).map((n) => (
                <Table.Tr key={n.id} data-testid={`network-row-${n.name}`}>
                  <Table.Td>
                    <Group gap="xs" wrap="wrap">
                      <Anchor component={Link} to={`/networks/${n.id}`} fw={600}>
                        {n.name}
                      </Anchor>
                      <ManagedBadge managed={n.managed} />
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="gray">
                      {t(`networks.kinds.${n.kind ?? 'other'}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {(n.cidrs ?? []).slice(0, 3).join(', ')}
                      {(n.cidrs ?? []).length > 3 ? ` +${(n.cidrs ?? []).length - 3}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>{n.policy}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
    </>
  );
}
