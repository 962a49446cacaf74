import { Badge, Tooltip } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** Objects declared in the config file are read-only here, so a restart never undoes an edit. */
export function ManagedBadge({ managed }: { managed: 'config' | 'api' | undefined }) {
  const { t } = useTranslation();
  if (managed !== 'config') return null;
  return (
    <Tooltip label={t('common.managedByConfigHint')} multiline w={280} events={{ hover: true, focus: true, touch: true }}>
      <Badge color="indigo" variant="light" leftSection={<IconLock size={12} aria-hidden />} tabIndex={0} data-testid="managed-badge">
        {t('common.managedByConfig')}
      </Badge>
    </Tooltip>
  );
}
