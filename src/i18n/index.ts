import { readFileSync } from 'node:fs';
import i18next, { type TFunction } from 'i18next';
import type ru from '../../locales/ru/translation.json';
import type { Language } from '../config.js';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof ru };
  }
}

export type Translate = TFunction<'translation'>;

function load(language: Language): Record<string, unknown> {
  const file = new URL(`../../locales/${language}/translation.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/**
 * One i18next instance for the process, loaded synchronously at start-up. Russian is the reference
 * language; English falls back to it for a missing key (a test keeps the two in step).
 */
export class Texts {
  private readonly instance = i18next.createInstance();
  private readonly fixed = new Map<Language, Translate>();

  constructor(readonly defaultLanguage: Language) {
    void this.instance.init({
      initAsync: false,
      lng: defaultLanguage,
      fallbackLng: 'ru',
      supportedLngs: ['ru', 'en'],
      resources: { ru: { translation: load('ru') }, en: { translation: load('en') } },
      // Chat messages are plain text, not HTML.
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  }

  t(language: Language): Translate {
    let t = this.fixed.get(language);
    if (!t) {
      t = this.instance.getFixedT(language);
      this.fixed.set(language, t);
    }
    return t;
  }

  /** The language for a person writing in private: theirs if we speak it, else the default. */
  languageFor(languageCode: string | undefined): Language {
    const code = languageCode?.slice(0, 2).toLowerCase();
    return code === 'ru' || code === 'en' ? code : this.defaultLanguage;
  }
}

/** A date and time as people in the school read them ("5 декабря 2026 г., 14:30"). */
export function formatDateTime(date: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

export function formatDate(date: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(date);
}
