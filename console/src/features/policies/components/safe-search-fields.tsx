import { Select, SimpleGrid, Switch } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SafeSearchConfig } from '../../../../../resolver/src/config/config-schema';

const ENGINES = ['google', 'bing', 'duckduckgo', 'yandex', 'ecosia', 'pixabay'] as const;

export function SafeSearchFields({ value, onChange, readOnly }: { value: SafeSearchConfig; onChange: (v: SafeSearchConfig) => void; readOnly?: boolean }) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
      {ENGINES.map((e) => (
        <Switch
          key={e}
          label={t(`safeSearch.${e}`)}
          checked={value[e] === true}
          disabled={readOnly}
          onChange={(ev) => onChange({ ...value, [e]: ev.currentTarget.checked })}
        />
      ))}
      <Select
        label={t('safeSearch.youtube')}
        description={t('safeSearch.youtubeHint')}
        value={value.youtube === false || value.youtube === undefined ? 'off' : value.youtube}
        readOnly={readOnly}
        allowDeselect={false}
        onChange={(v) => onChange({ ...value, youtube: v === 'off' || v === null ? false : (v as 'strict' | 'moderate') })}
        data={[
          { value: 'off', label: t('safeSearch.youtubeOff') },
          { value: 'moderate', label: t('safeSearch.youtubeModerate') },
          { value: 'strict', label: t('safeSearch.youtubeStrict') },
        ]}
      />
    </SimpleGrid>
  );
}
