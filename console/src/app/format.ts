import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../i18n/i18n';

// Numbers and dates follow the console's language, not the machine's: a Vietnamese reader
// sees "1.234" and "02/12/2026", an English one "1,234" and "12/2/2026".

const LOCALE = { vi: 'vi-VN', en: 'en-GB' } as const;

export function useFormat() {
  const { i18n } = useTranslation();
  const locale = LOCALE[currentLanguage(i18n.language)];
  const num = new Intl.NumberFormat(locale);
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const hour = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const dayMonth = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit' });
  const toDate = (v: string | number | Date) => (v instanceof Date ? v : new Date(v));
  return {
    locale,
    number: (n: number) => num.format(n),
    percent: (ratio: number) => pct.format(ratio),
    dateTime: (v: string | number | Date) => dateTime.format(toDate(v)),
    date: (v: string | number | Date) => date.format(toDate(v)),
    hour: (v: string | number | Date) => hour.format(toDate(v)),
    dayMonth: (v: string | number | Date) => dayMonth.format(toDate(v)),
  };
}
