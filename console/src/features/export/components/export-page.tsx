import { Button, Card, Group, MultiSelect, Radio, SegmentedControl, Stack, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { IconDownload, IconPrinter } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { withQuery } from '../../../app/api-client';
import { currentLanguage, type Language } from '../../../i18n/i18n';
import { PageHeader } from '../../../components/page-header';
import { useNetworks } from '../../networks/api';

function monthStart(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-01`;
}
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The aggregated report for the authorities, the same as `npm run report`: CSV or a printable page. */
export function ExportPage() {
  const { t, i18n } = useTranslation();
  const networks = useNetworks();
  const [range, setRange] = useState<[string | null, string | null]>([monthStart(), today()]);
  const [selected, setSelected] = useState<string[]>([]);
  const [format, setFormat] = useState<'csv' | 'html'>('html');
  const [lang, setLang] = useState<Language>(currentLanguage(i18n.language));
  const [from, to] = range;
  const href = from && to ? withQuery('/api/reports/export', { from, to, network: selected.map(Number), format, lang }) : undefined;
  return (
    <Stack>
      <PageHeader title={t('export.title')} description={t('export.intro')} />
      <Card withBorder padding="lg" maw={720}>
        <Stack>
          <DatePickerInput type="range" label={t('export.range')} value={range} onChange={(v) => setRange([v[0] as string | null, v[1] as string | null])} valueFormat="DD/MM/YYYY" allowSingleDateInRange maxDate={new Date()} required />
          <MultiSelect
            label={t('export.networks')}
            description={t('export.networksHint')}
            data={(networks.data ?? []).map((n) => ({ value: String(n.id), label: n.name }))}
            value={selected}
            onChange={setSelected}
            searchable
            clearable
          />
          <Radio.Group label={t('export.format')} value={format} onChange={(v) => setFormat(v as 'csv' | 'html')}>
            <Group mt="xs">
              <Radio value="html" label={t('export.html')} />
              <Radio value="csv" label={t('export.csv')} />
            </Group>
          </Radio.Group>
          <div>
            <Text size="sm" fw={500} mb={4} id="export-lang">
              {t('export.language')}
            </Text>
            <SegmentedControl
              aria-labelledby="export-lang"
              value={lang}
              onChange={(v) => setLang(v as Language)}
              data={[
                { value: 'vi', label: 'Tiếng Việt' },
                { value: 'en', label: 'English' },
              ]}
            />
          </div>
          <Text size="sm" c="dimmed">
            {t('export.privacy')}
          </Text>
          <Group>
            <Button component="a" href={href} target={format === 'html' ? '_blank' : undefined} rel="noopener" download={format === 'csv' ? true : undefined} leftSection={format === 'html' ? <IconPrinter size={16} aria-hidden /> : <IconDownload size={16} aria-hidden />} disabled={!href}>
              {format === 'html' ? t('export.open') : t('export.download')}
            </Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
