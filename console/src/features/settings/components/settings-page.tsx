import { Button, Card, NumberInput, SimpleGrid, Stack, Switch, Textarea, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyError, notifySaved } from '../../../app/notify';
import { PageHeader } from '../../../components/page-header';
import { QueryState } from '../../../components/query-state';
import { useSaveSettings, useSettings, type Settings } from '../api';

const UPSTREAM = /^(udp|tcp|tls|https):\/\/\S+$/;
const NUMBERS = ['max_entries', 'max_bytes', 'min_ttl', 'max_ttl', 'negative_max_ttl', 'stale_window_s', 'stale_answer_ttl'] as const;

export function SettingsPage() {
  const { t } = useTranslation();
  const q = useSettings();
  const save = useSaveSettings();
  const [upstreams, setUpstreams] = useState('');
  const [cache, setCache] = useState<Settings['cache'] | null>(null);
  useEffect(() => {
    if (!q.data) return;
    setUpstreams(q.data.upstreams.join('\n'));
    setCache(q.data.cache);
  }, [q.data]);
  const list = upstreams.split(/\s+/).filter(Boolean);
  const bad = list.filter((u) => !UPSTREAM.test(u));
  return (
    <Stack>
      <PageHeader title={t('settings.title')} description={t('settings.intro')} />
      <QueryState isLoading={q.isLoading || (!!q.data && !cache)} error={q.error}>
        {cache ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (bad.length || !list.length) return;
              save.mutate({ upstreams: list, cache }, { onSuccess: () => notifySaved(t), onError: (err) => notifyError(t, err) });
            }}
          >
            <Stack maw={760}>
              <Card withBorder padding="lg">
                <Title order={2} size="h4" mb="sm">
                  {t('settings.upstreams')}
                </Title>
                <Textarea
                  label={t('settings.upstreamsLabel')}
                  description={t('settings.upstreamsHint')}
                  value={upstreams}
                  onChange={(e) => setUpstreams(e.currentTarget.value)}
                  autosize
                  minRows={3}
                  spellCheck={false}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  error={bad.length ? t('settings.upstreamInvalid', { value: bad[0] }) : !list.length ? t('settings.upstreamRequired') : undefined}
                />
              </Card>
              <Card withBorder padding="lg">
                <Title order={2} size="h4" mb="sm">
                  {t('settings.cache')}
                </Title>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  {NUMBERS.map((k) => (
                    <NumberInput key={k} label={t(`settings.cacheFields.${k}`)} min={0} value={cache[k]} onChange={(v) => setCache({ ...cache, [k]: Number(v) || 0 })} thousandSeparator=" " />
                  ))}
                </SimpleGrid>
                <Switch mt="md" label={t('settings.cacheFields.prefetch')} checked={cache.prefetch} onChange={(e) => setCache({ ...cache, prefetch: e.currentTarget.checked })} />
              </Card>
              <Button type="submit" loading={save.isPending} w="fit-content" disabled={bad.length > 0 || !list.length}>
                {t('common.save')}
              </Button>
            </Stack>
          </form>
        ) : null}
      </QueryState>
    </Stack>
  );
}
