import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../../app/api-client';
import { useSession, useSetSession } from '../../../app/session';
import { Hotline } from '../../../components/hotline';
import { PublicLayout } from '../../../components/public-layout';
import { login } from '../api';

/** Only paths inside the console are followed after login: never an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const setSession = useSetSession();
  const { data: session } = useSession();
  const form = useForm({
    initialValues: { username: '', password: '' },
    validate: {
      username: (v) => (v.trim() ? null : t('login.usernameRequired')),
      password: (v) => (v ? null : t('login.passwordRequired')),
    },
  });
  const m = useMutation({
    mutationFn: (v: { username: string; password: string }) => login(v.username.trim(), v.password),
    onSuccess: (s) => {
      setSession(s);
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  if (session) return <Navigate to={safeNext(params.get('next'))} replace />;

  const error = m.error instanceof ApiError ? (m.error.status === 429 ? t('login.tooMany') : m.error.status === 401 ? t('login.wrong') : m.error.message) : m.error ? String(m.error) : null;

  return (
    <PublicLayout>
      <Paper withBorder shadow="sm" p="lg" radius="md">
        <Title order={1} size="h2" mb="xs">
          {t('login.title')}
        </Title>
        <Text c="dimmed" mb="md">
          {t('login.intro')}
        </Text>
        <form onSubmit={form.onSubmit((v) => m.mutate(v))} noValidate>
          <Stack>
            {error ? (
              <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert">
                {error}
              </Alert>
            ) : null}
            <TextInput label={t('login.username')} autoComplete="username" required autoFocus {...form.getInputProps('username')} />
            <PasswordInput label={t('login.password')} autoComplete="current-password" required {...form.getInputProps('password')} />
            <Button type="submit" loading={m.isPending} fullWidth>
              {t('login.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
      <Stack mt="lg" gap="md">
        <Text>
          {t('login.reportPrompt')}{' '}
          <Anchor component={Link} to="/report" fw={600}>
            {t('login.reportLink')}
          </Anchor>
        </Text>
        <Hotline />
      </Stack>
    </PublicLayout>
  );
}
