import { List, Stack, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { checkCidrLines } from '../cidr-lines';

/** Address ranges, one a line, checked as they are typed; the stored form is shown when it differs. */
export function CidrInput({ value, onChange, readOnly, error }: { value: string; onChange: (v: string) => void; readOnly?: boolean; error?: string }) {
  const { t } = useTranslation();
  const lines = checkCidrLines(value);
  const bad = lines.filter((l) => l.error);
  const rewritten = lines.filter((l) => !l.error && l.canonical !== l.text && l.canonical !== `${l.text}/32` && l.canonical !== `${l.text}/128`);
  return (
    <Stack gap={4}>
      <Textarea
        label={t('networks.cidrs')}
        description={t('networks.cidrsHint')}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        readOnly={readOnly}
        autosize
        minRows={2}
        spellCheck={false}
        autoCapitalize="none"
        required
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        error={bad.length ? t('networks.cidrInvalid', { count: bad.length }) : error}
        data-testid="cidr-input"
      />
      <div aria-live="polite">
        {bad.length ? (
          <List size="sm" c="red.9" data-testid="cidr-problems">
            {bad.map((l) => (
              <List.Item key={l.line}>{t('networks.cidrBadLine', { line: l.line, text: l.text })}</List.Item>
            ))}
          </List>
        ) : null}
        {rewritten.map((l) => (
          <Text key={l.line} size="sm" c="dimmed">
            {t('networks.cidrRewritten', { text: l.text, canonical: l.canonical })}
          </Text>
        ))}
      </div>
    </Stack>
  );
}
