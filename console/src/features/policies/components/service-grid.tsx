import { Alert, Avatar, Badge, Checkbox, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../../i18n/i18n';
import { QueryState } from '../../../components/query-state';
import { useServices, type Service } from '../services-api';
import classes from './service-grid.module.css';

interface Props {
  value: string[];
  onChange: (v: string[]) => void;
  readOnly?: boolean;
  idPrefix: string;
}

const COLORS = ['teal', 'blue', 'grape', 'orange', 'indigo', 'red', 'cyan', 'pink', 'violet', 'green'];

function initials(name: string): string {
  const words = name.replace(/[^\p{L}\p{N} ]/gu, ' ').split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : name.slice(0, 2)).toUpperCase();
}

function colorOf(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length];
}

/** Accent- and case-blind search, so "lien quan" finds "Liên Quân Mobile". */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

/** Apps and services (TikTok, Roblox, Zalo…) grouped as the catalogue groups them, each one switch. */
export function ServiceGrid({ value, onChange, readOnly, idPrefix }: Props) {
  const { t, i18n } = useTranslation();
  const lang = currentLanguage(i18n.language);
  const q = useServices();
  const [search, setSearch] = useState('');
  const on = new Set(value);
  const needle = fold(search.trim());
  const name = (s: { name: { vi: string; en: string } }) => s.name[lang] || s.name.en;
  const matches = (s: Service) => !needle || fold(name(s)).includes(needle) || s.id.includes(needle);
  const toggle = (ids: string[], checked: boolean) => onChange(checked ? [...new Set([...value, ...ids])] : value.filter((x) => !ids.includes(x)));

  return (
    <QueryState isLoading={q.isLoading} error={null}>
      {q.error || !q.data ? (
        <Alert color="gray">{t('services.unavailable')}</Alert>
      ) : (
        <Stack>
          <TextInput
            label={t('services.search')}
            leftSection={<IconSearch size={16} aria-hidden />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            placeholder={t('services.searchPlaceholder')}
          />
          {q.data.groups.map((g) => {
            const items = q.data.services.filter((s) => s.group === g.id);
            const shown = items.filter(matches);
            if (!shown.length) return null;
            const onCount = items.filter((s) => on.has(s.id)).length;
            return (
              <Stack key={g.id} gap="xs" component="section" aria-labelledby={`${idPrefix}-group-${g.id}`}>
                <Group justify="space-between" wrap="wrap">
                  <Group gap="xs">
                    <Title order={2} size="h5" id={`${idPrefix}-group-${g.id}`}>
                      {name(g)}
                    </Title>
                    <Badge variant="light" color="gray">
                      {t('services.onCount', { on: onCount, total: items.length })}
                    </Badge>
                  </Group>
                  <Checkbox
                    label={t('services.blockGroup')}
                    checked={onCount === items.length}
                    indeterminate={onCount > 0 && onCount < items.length}
                    disabled={readOnly}
                    onChange={(e) => toggle(items.map((s) => s.id), e.currentTarget.checked)}
                  />
                </Group>
                <SimpleGrid cols={{ base: 2, xs: 3, md: 4, lg: 5 }} spacing="xs">
                  {shown.map((s) => (
                    <label key={s.id} className={classes.card} data-on={on.has(s.id) || undefined} htmlFor={`${idPrefix}-svc-${s.id}`}>
                      <Avatar color={colorOf(s.id)} radius="md" size={32} aria-hidden variant="filled">
                        {initials(name(s))}
                      </Avatar>
                      <Text size="sm" className={classes.name}>
                        {name(s)}
                      </Text>
                      <Checkbox
                        id={`${idPrefix}-svc-${s.id}`}
                        checked={on.has(s.id)}
                        disabled={readOnly}
                        onChange={(e) => toggle([s.id], e.currentTarget.checked)}
                        aria-label={t('services.blockOne', { name: name(s) })}
                        data-testid={`service-${s.id}`}
                      />
                    </label>
                  ))}
                </SimpleGrid>
              </Stack>
            );
          })}
        </Stack>
      )}
    </QueryState>
  );
}
