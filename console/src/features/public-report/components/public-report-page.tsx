import { Alert, Anchor, Button, Paper, Radio, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../../app/api-client';
import { Hotline } from '../../../components/hotline';
import { PublicLayout } from '../../../components/public-layout';
import { asciiDomain } from '../../../lib/domain-input';
import { submitReport, type NewReport, type ReportKind } from '../api';

const MESSAGE_MAX = 1000;

/** A bare host name from whatever was pasted: a whole URL is fine, only its host is sent. */
function hostOf(input: string): string {
  const s = input.trim();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return new URL(s).hostname;
  } catch {
    /* not a URL: treated as a name */
  }
  return s.split('/')[0];
}

export function PublicReportPage() {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: { domain: '', kind: 'harmful' as ReportKind, message: '' },
    validate: {
      domain: (v) => (asciiDomain(hostOf(v)) ? null : t('report.domainInvalid')),
      message: (v) => (v.length > MESSAGE_MAX ? t('report.messageTooLong', { max: MESSAGE_MAX }) : null),
    },
  });
  const m = useMutation({ mutationFn: (r: NewReport) => submitReport(r) });

  return (
    <PublicLayout>
      {m.isSuccess ? (
        <Paper withBorder p="lg" radius="md">
          <Stack>
            <Alert color="teal" icon={<IconCircleCheck aria-hidden />} title={t('report.thanksTitle')} role="status">
              {t('report.thanksText')}
            </Alert>
            <Hotline />
            <Button
              variant="default"
              onClick={() => {
                form.reset();
                m.reset();
              }}
            >
              {t('report.another')}
            </Button>
          </Stack>
        </Paper>
      ) : (
        <Stack>
          <Hotline />
          <Paper withBorder shadow="sm" p="lg" radius="md">
            <Title order={1} size="h2" mb="xs">
              {t('report.title')}
            </Title>
            <Text c="dimmed" mb="md">
              {t('report.intro')}
            </Text>
            <form
              noValidate
              onSubmit={form.onSubmit((v) =>
                m.mutate({ domain: asciiDomain(hostOf(v.domain))!, kind: v.kind, ...(v.message.trim() ? { message: v.message.trim() } : {}) }),
              )}
            >
              <Stack>
                {m.error ? (
                  <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert">
                    {m.error instanceof ApiError && m.error.status === 429 ? t('report.tooMany') : t('report.failed')}
                  </Alert>
                ) : null}
                <TextInput
                  label={t('report.domain')}
                  description={t('report.domainHint')}
                  placeholder="example.org"
                  inputMode="url"
                  autoCapitalize="none"
                  autoCorrect="off"
                  spellCheck={false}
                  required
                  {...form.getInputProps('domain')}
                />
                <Radio.Group label={t('report.kind')} required {...form.getInputProps('kind')}>
                  <Stack gap="xs" mt="xs">
                    <Radio value="harmful" label={t('report.kindHarmful')} />
                    <Radio value="wrongly-blocked" label={t('report.kindWronglyBlocked')} />
                  </Stack>
                </Radio.Group>
                <Textarea
                  label={t('report.message')}
                  description={t('report.messageHint')}
                  autosize
                  minRows={3}
                  maxLength={MESSAGE_MAX}
                  {...form.getInputProps('message')}
                />
                <Button type="submit" loading={m.isPending}>
                  {t('report.submit')}
                </Button>
              </Stack>
            </form>
          </Paper>
          <Text size="sm">
            <Anchor component={Link} to="/login">
              {t('report.adminLogin')}
            </Anchor>
          </Text>
        </Stack>
      )}
    </PublicLayout>
  );
}
