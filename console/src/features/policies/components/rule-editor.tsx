import { Badge, Group, List, Stack, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { checkRuleLines } from '../../../lib/domain-input';

interface Props {
  kind: 'allow' | 'deny';
  text: string;
  onText: (text: string) => void;
  readOnly?: boolean;
}

const SHOWN_PROBLEMS = 20;

/** Rules, one a line: paste a whole list, and every line is checked as it is typed. */
export function RuleEditor({ kind, text, onText, readOnly }: Props) {
  const { t } = useTranslation();
  const lines = checkRuleLines(text, kind);
  const bad = lines.filter((l) => l.problem);
  return (
    <Stack gap="xs">
      <Textarea
        label={t(`rules.${kind}Label`)}
        description={t(`rules.${kind}Hint`)}
        value={text}
        onChange={(e) => onText(e.currentTarget.value)}
        autosize
        minRows={4}
        maxRows={16}
        readOnly={readOnly}
        spellCheck={false}
        autoCapitalize="none"
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        error={bad.length ? t('rules.invalidCount', { count: bad.length }) : undefined}
        data-testid={`rules-${kind}`}
      />
      <Group gap="xs">
        <Badge variant="light" color="gray">
          {t('rules.count', { count: lines.length })}
        </Badge>
      </Group>
      {bad.length ? (
        <List size="sm" c="red.9" data-testid={`rules-${kind}-problems`}>
          {bad.slice(0, SHOWN_PROBLEMS).map((l) => (
            <List.Item key={l.line}>
              {t('rules.problemLine', { line: l.line, text: l.text, problem: t(`rules.problem.${l.problem}`) })}
            </List.Item>
          ))}
          {bad.length > SHOWN_PROBLEMS ? <List.Item>{t('rules.more', { count: bad.length - SHOWN_PROBLEMS })}</List.Item> : null}
        </List>
      ) : null}
      {!bad.length && lines.length ? (
        <Text size="sm" c="dimmed">
          {t('rules.allValid')}
        </Text>
      ) : null}
    </Stack>
  );
}

/** The rules a text holds, or the first bad line. */
export function rulesFromText(text: string, kind: 'allow' | 'deny'): { rules: string[]; invalid: number } {
  const lines = checkRuleLines(text, kind);
  return { rules: lines.map((l) => l.text), invalid: lines.filter((l) => l.problem).length };
}
