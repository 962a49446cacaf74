import { Alert, Anchor, Group, Text } from '@mantine/core';
import { IconPhoneCall } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** The national child-protection hotline, free and open day and night: shown wherever a child or parent may look. */
export function Hotline({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Alert variant="light" color="red" icon={<IconPhoneCall aria-hidden />} title={t('hotline.title')} data-testid="hotline">
      <Group gap="md" wrap="nowrap" align="center">
        <Anchor href="tel:111" fw={800} fz={compact ? 28 : 40} lh={1} c="red.9" aria-label={t('hotline.call')} underline="hover">
          111
        </Anchor>
        <Text size="sm">{t('hotline.text')}</Text>
      </Group>
    </Alert>
  );
}
