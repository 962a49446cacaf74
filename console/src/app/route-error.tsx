import { Alert, Button, Container } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useRouteError } from 'react-router';

export function RouteError() {
  const { t } = useTranslation();
  const err = useRouteError();
  return (
    <Container size="sm" py="xl">
      <Alert color="red" title={t('common.pageFailed')}>
        {err instanceof Error ? err.message : String(err)}
      </Alert>
      <Button mt="md" onClick={() => window.location.reload()}>
        {t('common.reload')}
      </Button>
    </Container>
  );
}
