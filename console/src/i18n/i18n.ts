import dayjs from 'dayjs';
import 'dayjs/locale/vi';
import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import vi from './vi.json';

// The language comes from the browser (a browser set to Vietnamese gets Vietnamese) unless
// the person picked one, which is remembered in localStorage. Both catalogues are bundled:
// they are small, and a console that flashes the wrong language on a slow school link is worse.

export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_STORAGE_KEY = 'nestguard.lang';

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, vi: { translation: vi } },
    supportedLngs: LANGUAGES,
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ['localStorage'],
    },
    returnNull: false,
  });

function applyLanguage(lng: string): void {
  const lang = currentLanguage(lng);
  document.documentElement.lang = lang;
  dayjs.locale(lang);
}

export function currentLanguage(lng = i18n.resolvedLanguage ?? i18n.language): Language {
  return lng?.startsWith('vi') ? 'vi' : 'en';
}

applyLanguage(i18n.language);
i18n.on('languageChanged', applyLanguage);

export default i18n;
