import { Anchor, Box, Container, Group, Title } from '@mantine/core';
import { IconAdjustments } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LanguageSwitch } from './language-switch';

/** The frame of the pages anyone can open without an account: login and the public report. */
export function PublicLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Box mih="100vh" bg="gray.0">
      <Container size={560} py="lg" px="md">
        <Group component="header" justify="space-between" mb="lg" wrap="wrap" gap="sm">
          <Anchor component={Link} to="/report" underline="never" c="dark" aria-label={t('public.home')}>
            <Group gap={8} wrap="nowrap">
              <IconAdjustments aria-hidden size={28} color="var(--mantine-color-teal-8)" />
              <Title order={2} size="h3">
                Nestguard
              </Title>
            </Group>
          </Anchor>
          <LanguageSwitch />
        </Group>
        <main>{children}</main>
      </Container>
    </Box>
  );
}
