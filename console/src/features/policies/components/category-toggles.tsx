import { SimpleGrid, Switch } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { WELL_KNOWN_CATEGORIES } from '../../../../../resolver/src/lists/categories';

interface Props {
  value: string[];
  onChange: (v: string[]) => void;
  readOnly?: boolean;
  /** prefix for element ids, when several lists share a page */
  idPrefix: string;
}

/** Categories the engine knows, plus any custom ones the policy already names. */
export function categoryNames(extra: readonly string[] = []): string[] {
  const known = new Set<string>(WELL_KNOWN_CATEGORIES);
  return [...WELL_KNOWN_CATEGORIES, ...extra.filter((c) => !known.has(c))];
}

export function CategoryToggles({ value, onChange, readOnly, idPrefix }: Props) {
  const { t, i18n } = useTranslation();
  const on = new Set(value);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" verticalSpacing="sm">
      {categoryNames(value).map((c) => {
        const known = i18n.exists(`categories.${c}.label`);
        return (
          <Switch
            key={c}
            id={`${idPrefix}-${c}`}
            checked={on.has(c)}
            disabled={readOnly}
            onChange={(e) => onChange(e.currentTarget.checked ? [...value, c] : value.filter((x) => x !== c))}
            label={known ? t(`categories.${c}.label`) : c}
            description={known ? t(`categories.${c}.description`) : t('categories.customDescription')}
            data-testid={`category-${c}`}
          />
        );
      })}
    </SimpleGrid>
  );
}
