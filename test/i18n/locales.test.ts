import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Texts } from '../../src/i18n/index.js';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

const load = (language: string) => JSON.parse(readFileSync(`locales/${language}/translation.json`, 'utf8'));
const ru = load('ru');
const en = load('en');
/** Plural suffixes differ by language (ru: one/few/many, en: one/other); compare the base keys. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');

describe('locales', () => {
  it('English has every Russian text and nothing else', () => {
    expect([...new Set(keys(en).map(base))].sort()).toEqual([...new Set(keys(ru).map(base))].sort());
  });

  it('every Russian plural has the one, few and many forms; every English plural one and other', () => {
    const ruKeys = keys(ru);
    const enKeys = keys(en);
    for (const plural of new Set(ruKeys.filter((k) => k !== base(k)).map(base))) {
      for (const form of ['one', 'few', 'many']) expect(ruKeys).toContain(`${plural}_${form}`);
      for (const form of ['one', 'other']) expect(enKeys).toContain(`${plural}_${form}`);
    }
  });

  it('no text is empty', () => {
    for (const [language, tree] of [
      ['ru', ru],
      ['en', en],
    ] as const) {
      for (const key of keys(tree)) {
        const value = key
          .split('.')
          .reduce((node: Record<string, unknown>, part) => node[part] as never, tree);
        expect(String(value).trim(), `${language}:${key}`).not.toBe('');
      }
    }
  });

  it('interpolates into plain text without escaping', () => {
    const texts = new Texts('ru');
    expect(texts.t('ru')('rules.header', { title: '7 «Б» & <друзья>' })).toBe(
      'Правила чата «7 «Б» & <друзья>»:',
    );
  });

  it.each([
    [undefined, 'ru'],
    ['en-US', 'en'],
    ['ru', 'ru'],
    ['de', 'ru'],
  ])('a private chat with language_code %s is answered in %s', (code, language) => {
    expect(new Texts('ru').languageFor(code)).toBe(language);
  });
});

describe('Russian plurals', () => {
  const t = new Texts('ru').t('ru');
  it.each([
    [1, '1 предупреждение'],
    [2, '2 предупреждения'],
    [4, '4 предупреждения'],
    [5, '5 предупреждений'],
    [11, '11 предупреждений'],
    [12, '12 предупреждений'],
    [21, '21 предупреждение'],
    [22, '22 предупреждения'],
    [0, '0 предупреждений'],
  ])('%i → %s', (count, text) => {
    expect(t('strikes.count', { count })).toBe(text);
  });

  it.each([
    [1, '1 день'],
    [3, '3 дня'],
    [7, '7 дней'],
    [21, '21 день'],
    [31, '31 день'],
  ])('%i days → %s', (count, text) => {
    expect(t('time.days', { count })).toBe(text);
  });

  it('English says 1 strike, 2 strikes', () => {
    const en = new Texts('ru').t('en');
    expect(en('strikes.count', { count: 1 })).toBe('1 strike');
    expect(en('strikes.count', { count: 2 })).toBe('2 strikes');
  });
});

describe('Russian plurals after «в течение» (genitive)', () => {
  const t = new Texts('ru').t('ru');
  it.each([
    [1, 'в течение 1 часа'],
    [2, 'в течение 2 часов'],
    [24, 'в течение 24 часов'],
    [48, 'в течение 48 часов'],
    [21, 'в течение 21 часа'],
  ])('%i → %s', (count, text) => {
    expect(t('time.within_hours', { count })).toBe(text);
  });
});
