import { Alert, Badge, Button, Card, Code, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../../components/page-header';
import { asciiDomain } from '../../../lib/domain-input';
import { useNetworks } from '../../networks/api';
import { useExplain, type Explanation } from '../api';

const COLOR = { allow: 'teal', block: 'red', rewrite: 'blue' } as const;

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w="35%" scope="row">
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function Result({ r }: { r: Explanation }) {
  const { t, i18n } = useTranslation();
  const cat = r.category ? (i18n.exists(`categories.${r.category}.label`) ? t(`categories.${r.category}.label`) : r.category) : null;
  return (
    <Card withBorder padding="lg" data-testid="explain-result" aria-live="polite">
      <Group mb="md">
        <Badge size="xl" color={COLOR[r.action]} variant="filled" data-testid="explain-action">
          {t(`tester.action.${r.action}`)}
        </Badge>
        <Text fw={600}>{t(`tester.summary.${r.action}`, { category: cat ?? '', schedule: r.schedule ?? '' })}</Text>
      </Group>
      <Table>
        <Table.Tbody>
          <Row label={t('tester.network')}>{r.network}</Row>
          <Row label={t('tester.policy')}>{r.policy}</Row>
          {cat ? <Row label={t('tester.category')}>{cat}</Row> : null}
          {r.rule ? (
            <Row label={t('tester.rule')}>
              <Code>{r.rule.text}</Code>
              <Text size="sm" c="dimmed">
                {r.rule.line ? t('tester.ruleSourceLine', { source: r.rule.source, line: r.rule.line }) : t('tester.ruleSource', { source: r.rule.source })}
              </Text>
            </Row>
          ) : null}
          {r.schedule ? <Row label={t('tester.schedule')}>{r.schedule}</Row> : null}
          {r.safeSearch ? (
            <Row label={t('tester.safeSearch')}>
              {r.safeSearch.engine} → <Code>{r.safeSearch.target}</Code>
            </Row>
          ) : null}
          <Row label={t('tester.detail')}>{r.detail}</Row>
          {r.matches.length ? (
            <Row label={t('tester.matches')}>
              {r.matches.map((m, i) => (
                <Text key={i} size="sm">
                  <Code>{m.text}</Code> {t('tester.ruleSourceLine', { source: m.source, line: m.line })}
                </Text>
              ))}
            </Row>
          ) : null}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

export function TesterPage() {
  const { t } = useTranslation();
  const networks = useNetworks();
  const explain = useExplain();
  const [network, setNetwork] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const net = network ?? (networks.data?.[0] ? String(networks.data[0].id) : null);
  const ascii = asciiDomain(name);
  const submit = () => {
    setTouched(true);
    if (!net || !ascii) return;
    explain.mutate({ network: Number(net), name: ascii });
  };
  return (
    <Stack>
      <PageHeader title={t('tester.title')} description={t('tester.intro')} />
      <Card withBorder padding="md">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Group align="flex-start" wrap="wrap">
            <Select
              label={t('tester.network')}
              value={net}
              onChange={setNetwork}
              data={(networks.data ?? []).map((n) => ({ value: String(n.id), label: n.name }))}
              allowDeselect={false}
              searchable
              style={{ flex: '1 1 12rem' }}
            />
            <TextInput
              label={t('tester.name')}
              placeholder="example.org"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={touched && !ascii ? t('tester.nameInvalid') : undefined}
              autoCapitalize="none"
              spellCheck={false}
              style={{ flex: '2 1 16rem' }}
            />
            <Button type="submit" mt={25} leftSection={<IconSearch size={16} aria-hidden />} loading={explain.isPending}>
              {t('tester.check')}
            </Button>
          </Group>
        </form>
      </Card>
      {explain.error ? <Alert color="red">{explain.error.message}</Alert> : null}
      {explain.data ? <Result r={explain.data} /> : null}
    </Stack>
  );
}
