import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Language } from '../../src/config.js';
import type { ChatRecord } from '../../src/db/repos/chats.js';
import { defaultRules, rulesFooter } from '../../src/features/rules/rules.js';
import { acceptButton } from '../../src/features/rules-gate/buttons.js';
import { Texts } from '../../src/i18n/index.js';
import { fitLabel } from '../../src/messenger/vk/keyboard.js';
import { parseRules } from '../../src/moderation/rules.js';
import type { ChatSettings } from '../../src/moderation/settings.js';
import { SETTING_KEYS } from '../../src/moderation/settings.js';
import type { Services } from '../../src/runtime/services.js';
import { Harness } from '../support/harness.js';
import { lastBotText } from '../support/school.js';

/**
 * Issue 15, «The Russian texts»: what the locales say is held to the editor's rules — short buttons, a
 * rules footer that says what really happens, correct plurals, no platform a chat is not on.
 */

type Tree = { [key: string]: string | Tree };
const load = (language: Language): Tree =>
  JSON.parse(readFileSync(`locales/${language}/translation.json`, 'utf8')) as Tree;
const LOCALES = { ru: load('ru'), en: load('en') } as const;
const LANGUAGES: Language[] = ['ru', 'en'];

function entries(tree: Tree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'string' ? [[path, value] as [string, string]] : entries(value, path);
  });
}

const texts = new Texts('ru');
const services = { texts } as unknown as Services;
const chatIn = (language: Language, settings: Partial<ChatSettings> = {}) =>
  ({ settings: { language, kind: 'class', ...settings } }) as unknown as ChatRecord;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}
const SOURCES = sourceFiles('src').map((path) => ({ path, text: readFileSync(path, 'utf8') }));

/** Keys whose text is a button's label (or, for invite.link_name, the name Telegram caps at 32). */
const BUTTON_KEYS = [
  'gate.button',
  'gate.admit',
  'gate.refuse',
  'vote.object',
  'vote.no_objection',
  'assistance.button_strike',
  'assistance.button_delete',
  'assistance.button_dismiss',
];
/** A label's variables at their longest: rule numbers run to two digits. */
const LABEL_VARIABLES = { rule: 99 };
const LABEL_LIMIT = 32;

describe('button labels fit a phone: at most 32 characters in both languages', () => {
  it('every key the code puts on a button is in the table this test checks', () => {
    // `{ text: t('gate.admit'), data: … }` and `t('vote.button', { label: t('vote.object') … })`.
    const used = new Set<string>();
    for (const { text } of SOURCES) {
      // With variables too (`{ text: t('assistance.button_strike', { rule }), data: … }`), but not vote.button: it wraps other labels.
      for (const match of text.matchAll(
        /text:\s*(?:[\w.]+\.)?t\('([\w.]+)'(?:,\s*\{[^}(]*\})?\)\s*,\s*data/g,
      ))
        used.add(match[1] as string);
      for (const match of text.matchAll(/label:\s*(?:[\w.]+\.)?t\('([\w.]+)'\)/g))
        used.add(match[1] as string);
      for (const match of text.matchAll(/\('(gate\.button)'\)/g)) used.add(match[1] as string);
    }
    expect([...used].sort()).toEqual([...BUTTON_KEYS].sort());
  });

  it.each(LANGUAGES)('%s: each label, and the vote buttons with a four-digit count', (language) => {
    const t = texts.t(language);
    for (const key of BUTTON_KEYS) {
      const label = t(key as 'gate.button', LABEL_VARIABLES);
      expect(label.length, `${language}:${key} «${label}»`).toBeLessThanOrEqual(LABEL_LIMIT);
      // VK cuts labels over 40 characters; none of ours is touched.
      expect(fitLabel(label)).toBe(label);
    }
    for (const key of ['vote.object', 'vote.no_objection'] as const) {
      const label = t('vote.button', { label: t(key), count: 9999 });
      expect(label.length, label).toBeLessThanOrEqual(LABEL_LIMIT);
    }
    expect(t('invite.link_name').length).toBeLessThanOrEqual(LABEL_LIMIT);
  });

  it('the gate button, as the code builds it, reads «Принимаю правила» / “I accept the rules”', () => {
    expect(acceptButton(services, chatIn('ru'), 'g:n:1')).toEqual([
      [{ text: 'Принимаю правила', data: 'g:n:1' }],
    ]);
    expect(acceptButton(services, chatIn('en'), 'g:n:1')[0]?.[0]?.text).toBe('I accept the rules');
  });
});

/** 1–31 days as Russian says them after «на»: 1 день, 2 дня, 5 дней, 21 день, 22 дня … */
const RU_DAYS = [
  '1 день',
  '2 дня',
  '3 дня',
  '4 дня',
  '5 дней',
  '6 дней',
  '7 дней',
  '8 дней',
  '9 дней',
  '10 дней',
  '11 дней',
  '12 дней',
  '13 дней',
  '14 дней',
  '15 дней',
  '16 дней',
  '17 дней',
  '18 дней',
  '19 дней',
  '20 дней',
  '21 день',
  '22 дня',
  '23 дня',
  '24 дня',
  '25 дней',
  '26 дней',
  '27 дней',
  '28 дней',
  '29 дней',
  '30 дней',
  '31 день',
];
/** strike_limit 3–10: the block comes on the next violation. */
const RU_NEXT: Record<number, string> = {
  3: '4-е',
  4: '5-е',
  5: '6-е',
  6: '7-е',
  7: '8-е',
  8: '9-е',
  9: '10-е',
  10: '11-е',
};
const EN_NEXT: Record<number, string> = {
  3: '4th',
  4: '5th',
  5: '6th',
  6: '7th',
  7: '8th',
  8: '9th',
  9: '10th',
  10: '11th',
};
const RU_START = 'За нарушение правил модератор выносит предупреждение со ссылкой на номер правила. ';
const EN_START = "A moderator answers a breach of the rules with a strike that cites the rule's number. ";
const LIMITS = [3, 4, 5, 6, 7, 8, 9, 10];
const TERMS = Array.from({ length: 31 }, (_, index) => index + 1);

describe('the rules footer says what happens: a block on the violation after the limit, for block_days', () => {
  const ru = texts.t('ru');
  const en = texts.t('en');

  it.each([
    [
      3,
      7,
      'mute',
      `${RU_START}За 4-е нарушение — блокировка на 7 дней: в это время в чате можно только читать.`,
    ],
    [
      3,
      1,
      'mute',
      `${RU_START}За 4-е нарушение — блокировка на 1 день: в это время в чате можно только читать.`,
    ],
    [
      4,
      2,
      'mute',
      `${RU_START}За 5-е нарушение — блокировка на 2 дня: в это время в чате можно только читать.`,
    ],
    [
      10,
      21,
      'mute',
      `${RU_START}За 11-е нарушение — блокировка на 21 день: в это время в чате можно только читать.`,
    ],
    [5, 22, 'ban', `${RU_START}За 6-е нарушение — блокировка на 22 дня: удаление из чата на этот срок.`],
    [3, 31, 'ban', `${RU_START}За 4-е нарушение — блокировка на 31 день: удаление из чата на этот срок.`],
  ] as const)('limit %i, %i days, %s', (limit, days, mode, expected) => {
    expect(rulesFooter(ru, { strike_limit: limit, block_days: days, block_mode: mode })).toBe(expected);
  });

  it('reads right for every limit 3–10 and every term 1–31 days, in both block modes (Russian)', () => {
    for (const limit of LIMITS) {
      for (const days of TERMS) {
        const term = `За ${RU_NEXT[limit]} нарушение — блокировка на ${RU_DAYS[days - 1]}`;
        expect(rulesFooter(ru, { strike_limit: limit, block_days: days, block_mode: 'mute' })).toBe(
          `${RU_START}${term}: в это время в чате можно только читать.`,
        );
        expect(rulesFooter(ru, { strike_limit: limit, block_days: days, block_mode: 'ban' })).toBe(
          `${RU_START}${term}: удаление из чата на этот срок.`,
        );
      }
    }
  });

  it('reads right for every limit 3–10 and every term 1–31 days, in both block modes (English)', () => {
    for (const limit of LIMITS) {
      for (const days of TERMS) {
        const term = `The ${EN_NEXT[limit]} breach brings a block for ${days === 1 ? '1 day' : `${days} days`}`;
        expect(rulesFooter(en, { strike_limit: limit, block_days: days, block_mode: 'mute' })).toBe(
          `${EN_START}${term}: read-only for that time.`,
        );
        expect(rulesFooter(en, { strike_limit: limit, block_days: days, block_mode: 'ban' })).toBe(
          `${EN_START}${term}: removal from the chat for that time.`,
        );
      }
    }
  });
});

describe('default rules per chat kind', () => {
  const kinds: Array<ChatSettings['kind']> = ['class', 'parents', 'staff'];

  it.each(LANGUAGES)('%s: a students’, a parents’ and a staff chat each get their own rules', (language) => {
    const rules = kinds.map((kind) => defaultRules(services, chatIn(language, { kind })));
    expect(new Set(rules).size).toBe(3);
    for (const text of rules) {
      const parsed = parseRules(text);
      expect(parsed.ok).toBe(true);
      // No default rule repeats a number the settings can change (the footer says those).
      expect(text).not.toMatch(/трёх|трех|месяц|предупрежд|блокир|three times|month|strike|block/i);
    }
  });

  it('parents and staff are addressed on «вы»; children are not told so', () => {
    const ru = (kind: ChatSettings['kind']) => defaultRules(services, chatIn('ru', { kind }));
    expect(ru('parents')).toContain('на «вы»');
    expect(ru('staff')).toContain('на «вы»');
    expect(ru('class')).not.toContain('на «вы»');
    expect(ru('class')).toContain('учител');
  });

  describe('end to end', () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    it('/rules in a chat without its own rules shows the defaults for the chat’s kind', async () => {
      h = await Harness.start();
      const teacher = h.api.createUser({ first_name: 'Мария', last_name: 'Ивановна' });
      const chat = h.api.createChat({ type: 'supergroup', title: '7Б — родители' });
      h.api.addMember(chat.id, teacher, { status: 'creator' });
      h.api.addBot(chat.id, {
        by: teacher,
        status: 'administrator',
        rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
      });
      h.api.sendMessage(chat.id, teacher, '/rules');
      await h.settle();
      expect(lastBotText(h, chat.id)).toContain('Пишем по делу: об учёбе');
      h.api.sendMessage(chat.id, teacher, '/settings kind parents');
      await h.settle();
      expect(lastBotText(h, chat.id)).toBe('Настройка «Вид чата» изменена: чат родителей.');
      h.api.sendMessage(chat.id, teacher, '/rules');
      await h.settle();
      const rules = lastBotText(h, chat.id);
      expect(rules).toContain('1. Общаемся вежливо и уважительно, обращаемся друг к другу на «вы».');
      expect(rules).toContain('Учителю пишем в рабочее время');
      expect(
        rules.endsWith('За 4-е нарушение — блокировка на 7 дней: в это время в чате можно только читать.'),
      ).toBe(true);
    });
  });
});

describe('the editor’s rules hold in every text', () => {
  it.each(LANGUAGES)('%s: never the word Telegram, so no VK or MAX chat reads it', (language) => {
    for (const [key, value] of entries(LOCALES[language]))
      expect(value, `${language}:${key}`).not.toMatch(/telegram|телеграм/i);
  });

  it('Russian: one word for a chat (never «беседа»), no masculine-only forms, no names after a genitive', () => {
    for (const [key, value] of entries(LOCALES.ru)) {
      expect(value, key).not.toMatch(/бесед/i);
      expect(value, key).not.toMatch(/заблокирован|принёс|принес |ознакомлен\b|\(а\)|новичк|новичок/i);
      // «участника Анна Петрова»: a name right after a declined noun stays undeclined.
      expect(value, key).not.toMatch(/(?:участник[аеуом]|участником) \{\{/);
      // A rule quoted in quotes ends up as `… на «вы». … недопустимы.».`
      expect(value, key).not.toMatch(/[«“]\{\{ruleText\}\}/);
    }
  });

  it('no raw platform error reaches a message: no key takes {{error}}', () => {
    for (const language of LANGUAGES)
      for (const [key, value] of entries(LOCALES[language])) expect(value, key).not.toContain('{{error}}');
  });

  it('a strike citing a rule with «quotes» and its own full stop reads with one full stop', () => {
    const t = texts.t('ru');
    const text = t('strike.recorded', {
      count: 1,
      limit: 3,
      rule: 1,
      ruleText: 'Обращаемся друг к другу на «вы». Оскорбления недопустимы.',
    });
    expect(text).toBe(
      'Предупреждение 1 из 3 — правило 1: Обращаемся друг к другу на «вы». Оскорбления недопустимы.',
    );
    expect(text).not.toMatch(/\.»\.|\.\./);
  });

  it('/settings and /log speak in words: every setting has a name, every choice a meaning', () => {
    for (const language of LANGUAGES) {
      const tree = LOCALES[language].settings as Tree;
      // Every key a moderator can set has a name in words (a new setting cannot be forgotten).
      expect(Object.keys(tree.name as Tree).sort()).toEqual([...SETTING_KEYS].sort());
      expect(Object.keys(tree.value as Tree)).toEqual(
        expect.arrayContaining([
          'block_mode_mute',
          'block_mode_ban',
          'kind_class',
          'kind_parents',
          'kind_staff',
          'quiet_hours',
          'quiet_hours_off',
          'announce_only_on',
          'announce_only_off',
        ]),
      );
    }
  });
});

describe('Russian plurals: every counted text has one, few and many', () => {
  /** The keys the code renders with a `count` and a noun that agrees with it. */
  const COUNTED = [
    'time.days',
    'time.hours',
    'time.minutes',
    'time.within_hours',
    'strikes.count',
    'refusal.more',
    'roster.removed_count',
    'roster.failed_count',
    'settings.value.flood',
  ];

  it.each(COUNTED)('%s has _one, _few, _many (ru) and _one, _other (en)', (key) => {
    const ruKeys = entries(LOCALES.ru).map(([path]) => path);
    const enKeys = entries(LOCALES.en).map(([path]) => path);
    for (const form of ['one', 'few', 'many', 'other']) expect(ruKeys).toContain(`${key}_${form}`);
    for (const form of ['one', 'other']) expect(enKeys).toContain(`${key}_${form}`);
  });

  it('any other key the code renders with a count puts no noun after the number', () => {
    const ru = Object.fromEntries(entries(LOCALES.ru));
    const withCount = new Set<string>();
    for (const { text } of SOURCES)
      for (const match of text.matchAll(/t\('([\w.]+)',\s*\{[^}]*\bcount\b/g))
        withCount.add(match[1] as string);
    expect(withCount.size).toBeGreaterThan(3);
    for (const key of withCount) {
      if (COUNTED.includes(key)) continue;
      expect(ru[`${key}_one`], key).toBeUndefined();
      expect(ru[key], key).toBeDefined();
      // «3 из 3» is fine: «из» is a preposition, not a noun that agrees with the number.
      expect(ru[key], key).not.toMatch(/\{\{count\}\}\s+(?!из\s)[а-яё]/i);
    }
  });

  const t = texts.t('ru');
  it.each([
    [1, '1 час'],
    [2, '2 часа'],
    [5, '5 часов'],
    [12, '12 часов'],
    [21, '21 час'],
    [24, '24 часа'],
    [48, '48 часов'],
    [168, '168 часов'],
  ])('%i hours → %s', (count, text) => {
    expect(t('time.hours', { count })).toBe(text);
  });

  it.each([
    [3, '3 сообщения за 60 с'],
    [5, '5 сообщений за 60 с'],
    [21, '21 сообщение за 60 с'],
  ])('flood threshold %i → %s', (count, text) => {
    expect(t('settings.value.flood', { count, seconds: 60 })).toBe(text);
  });
});
