import { AppShell, Burger, Button, Group, NavLink, ScrollArea, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconAdjustments,
  IconChartBar,
  IconFileExport,
  IconFlag,
  IconHistory,
  IconList,
  IconLogout,
  IconNetwork,
  IconSearch,
  IconSettings,
  IconShieldCheck,
  IconUsers,
} from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { api } from './api-client';
import { useRole, useSession, useSetSession, type Role } from './session';
import { LanguageSwitch } from '../components/language-switch';

interface NavItem { to: string; label: string; icon: ComponentType<{ size?: number; 'aria-hidden'?: boolean }>; roles?: Role[] }

const NAV: NavItem[] = [
  { to: '/', label: 'nav.dashboard', icon: IconChartBar },
  { to: '/networks', label: 'nav.networks', icon: IconNetwork },
  { to: '/policies', label: 'nav.policies', icon: IconShieldCheck },
  { to: '/lists', label: 'nav.lists', icon: IconList },
  { to: '/tester', label: 'nav.tester', icon: IconSearch },
  { to: '/reports', label: 'nav.reports', icon: IconFlag, roles: ['owner', 'network-admin'] },
  { to: '/export', label: 'nav.export', icon: IconFileExport },
  { to: '/audit', label: 'nav.audit', icon: IconHistory, roles: ['owner'] },
  { to: '/admins', label: 'nav.admins', icon: IconUsers, roles: ['owner'] },
  { to: '/settings', label: 'nav.settings', icon: IconSettings, roles: ['owner'] },
];

export function Shell() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const { data: session } = useSession();
  const { role } = useRole();
  const setSession = useSetSession();
  const location = useLocation();
  const logout = useMutation({ mutationFn: () => api.delete('/api/session'), onSettled: () => setSession(null) });

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">
        {t('nav.skip')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t(opened ? 'nav.close' : 'nav.open')} />
            <IconAdjustments aria-hidden size={24} color="var(--mantine-color-teal-8)" />
            <Title order={2} size="h4">
              Nestguard
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap" visibleFrom="xs">
            <LanguageSwitch />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.label')}>
        <AppShell.Section grow component={ScrollArea}>
            {NAV.filter((n) => !n.roles || (role && n.roles.includes(role))).map((n) => (
              <NavLink
                key={n.to}
                component={RouterLink}
                to={n.to}
                end={n.to === '/'}
                label={t(n.label)}
                leftSection={<n.icon size={18} aria-hidden />}
                active={n.to === '/' ? location.pathname === '/' : location.pathname.startsWith(n.to)}
                onClick={close}
              />
            ))}
        </AppShell.Section>
        <AppShell.Section pt="xs" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
          <Group hiddenFrom="xs" mb="xs">
            <LanguageSwitch />
          </Group>
          <Text size="sm" c="dimmed" px="xs">
            {session ? t('nav.signedInAs', { name: session.user.username, role: t(`roles.${session.user.role}`) }) : null}
          </Text>
          <Button variant="subtle" color="dark" leftSection={<IconLogout size={16} aria-hidden />} onClick={() => logout.mutate()} loading={logout.isPending} fullWidth justify="flex-start">
            {t('nav.logout')}
          </Button>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <VisuallyHidden aria-live="polite">{t(NAV.find((n) => (n.to === '/' ? location.pathname === '/' : location.pathname.startsWith(n.to)))?.label ?? 'nav.dashboard')}</VisuallyHidden>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
