import { Alert, Anchor, Text } from '@mantine/core';
import { IconPhoneCall } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** The national child-protection hotline, free and open day and night: shown wherever a child or parent may look. */
export function Hotline({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Alert
      variant="light"
      color="red"
      icon={<IconPhoneCall aria-hidden />}
      title={compact ? undefined : t('hotline.title')}
      data-testid="hotline"
    >
      <Text size={compact ? 'sm' : 'md'}>
        {t('hotline.text')}{' '}
        <Anchor href="tel:111" fw={700} c="red.9">
          111
        </Anchor>
      </Text>
    </Alert>
  );
}
