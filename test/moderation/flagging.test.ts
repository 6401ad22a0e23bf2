import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/moderation/assistance/detect.js';
import { noteHeat } from '../../src/moderation/assistance/heat.js';
import { collapseRepeats, tokenize } from '../../src/moderation/assistance/normalize.js';
import {
  parseFlagRule,
  parseFlagWords,
  parseOwnLinks,
  readFlagSettings,
  ruleFor,
} from '../../src/moderation/assistance/settings.js';
import { changeSetting, parseFlood } from '../../src/moderation/settings.js';

/** Invented examples (not lines of the labelled set): the disguises and the ordinary look-alikes. */
const signals = (text: string, options = {}) => checkMessage(text, options).map((f) => f.signal);

describe('the message check', () => {
  // Repeated letters collapse wherever they are: the fast path (no repeated UTF-16 unit) must not skip a
  // letter outside the BMP, whose two units never repeat side by side.
  it.each([
    ['дурааак', 'дурак'],
    ['𝐟𝐮𝐮𝐜𝐜𝐤', '𝐟𝐮𝐜𝐤'],
    ['класс', 'клас'],
    ['собрание', 'собрание'],
    ['1122', '1122'],
  ])('collapses the repeats of «%s» to «%s»', (word, collapsed) => {
    expect(collapseRepeats(word)).toBe(collapsed);
  });

  it.each([
    ['кoзeл', 'козел'],
    ['ёлка', 'елка'],
    ['когда', 'когда'],
    ['х0р0ш0', 'хорошо'],
  ])('reads «%s» as the Russian «%s»', (word, ru) => {
    expect(tokenize(word)[0]?.ru).toBe(ru);
  });

  it.each([
    'Ты козёл',
    'ты кoзeл',
    'ну и д.у.р.а.к',
    'с-у-ч-к-а',
    'бляяяяя',
    'ох**ть',
    'f u c k',
    'what a b1tch',
    'ТЫ ИДИОТ',
    'zaebal uzhe',
  ])('flags «%s» as an insult', (text) => {
    expect(signals(text)).toContain('insult');
  });

  it.each([
    'Рубля не хватает на сдачу',
    'Сабля для костюма',
    'Тупой нож для поделок не годится',
    'His classic assignment is in Essex',
    '«Дурак» — так назвали героя сказки',
    'Блин, опоздали',
  ])('leaves «%s» alone', (text) => {
    expect(signals(text)).toEqual([]);
  });

  it.each([
    'заходите t.me/joinchat/AbcFake',
    'скидки тут: vk.cc/abcFake',
    'продаю велосипед, +7 900 000 11 22',
    '@a1b @b2c @c3d @d4e смотрите',
  ])('flags «%s» as advertising', (text) => {
    expect(signals(text)).toContain('advertising');
  });

  it('leaves the school’s own links and a plain phone alone', () => {
    expect(
      signals('Чат школы: https://max.ru/join/ourschool', { ownLinks: ['max.ru/join/ourschool'] }),
    ).toEqual([]);
    expect(signals('Медсестра: +7 900 000-01-02')).toEqual([]);
  });

  const own = ['school123.ru', 'max.ru/join/ourschool', 't.me/joinchat/abc'];
  it.each([
    ['Расписание на сайте: https://school123.ru/raspisanie', []],
    ['Сайт школы www.school123.ru.', []],
    ['Чат школы: max.ru/join/ourschool', []],
    ['Родительский чат: t . me / joinchat / abc', []],
    // Only the whole link: a longer invite or another chat is still flagged.
    ['Наш чат: t.me/joinchat/abcdef', ['advertising']],
    ['Вступайте: max.ru/join/ourschool2', ['advertising']],
    ['Сайт школы school123.ru, а ещё наш чат: max.ru/join/other', ['advertising']],
    ['Репетитор: bit.ly/school123', ['advertising']],
  ])('with the school’s own links, «%s» → %j', (text, expected) => {
    expect(signals(text, { ownLinks: own })).toEqual(expected);
  });

  it('flags the chat’s own words and skips dismissed patterns', () => {
    expect(checkMessage('дай списать', { ownWords: ['списа'] })).toEqual([
      { signal: 'own_words', pattern: 'word:списа' },
    ]);
    expect(checkMessage('Ты лох', { dismissed: new Set(['ru:лох']) })).toEqual([]);
  });
});

describe('the flagger’s settings', () => {
  it('parses the chat’s words and the rule a signal cites', () => {
    expect(parseFlagWords('ГДЗ, списать  ответы')).toEqual({ ok: true, words: ['гдз', 'списать', 'ответы'] });
    expect(parseFlagWords('-')).toEqual({ ok: true, words: [] });
    expect(parseFlagWords('a')).toEqual({ ok: false });
    expect(parseFlagRule('insult 2', 3)).toEqual({ ok: true, signal: 'insult', rule: 2 });
    expect(parseFlagRule('insult -', 3)).toEqual({ ok: true, signal: 'insult', rule: null });
    expect(parseFlagRule('swearing 2', 3)).toEqual({ ok: false, problem: 'signal' });
    expect(parseFlagRule('insult 9', 3)).toEqual({ ok: false, problem: 'rule' });
  });

  it('maps a signal to the rule whose text fits, unless a moderator chose', () => {
    const rules = ['Без оскорблений и нецензурных слов', 'Никакой рекламы', 'Не пишем капсом'];
    const none = readFlagSettings({});
    expect(ruleFor('insult', rules, none)).toBe(1);
    expect(ruleFor('advertising', rules, none)).toBe(2);
    expect(ruleFor('shouting', rules, none)).toBe(3);
    expect(ruleFor('flooding', rules, none)).toBeNull();
    expect(ruleFor('insult', rules, readFlagSettings({ flag_rules: { insult: 3 } }))).toBe(3);
  });
});

describe('the school’s own links (/settings own_links)', () => {
  it.each([
    ['school123.ru', ['school123.ru']],
    ['https://www.School123.ru/, max.ru/join/ourschool', ['school123.ru', 'max.ru/join/ourschool']],
    ['t.me/joinchat/abc; t.me/joinchat/abc', ['t.me/joinchat/abc']],
    ['-', []],
    ['off', []],
  ])('reads «%s» as %j', (raw, links) => {
    expect(parseOwnLinks(raw)).toEqual({ ok: true, links });
  });

  it.each([
    [''],
    ['школа'],
    ['http://'],
    ['localhost'],
    [Array.from({ length: 21 }, (_, i) => `s${i}.ru`).join(',')],
  ])('refuses «%s»', (raw) => {
    expect(parseOwnLinks(raw)).toEqual({ ok: false });
  });

  it('keeps them among the chat’s flag settings', () => {
    expect(readFlagSettings({ own_links: ['school123.ru', 5] }).ownLinks).toEqual(['school123.ru']);
    expect(readFlagSettings({}).ownLinks).toEqual([]);
  });
});

describe('the flood threshold (/settings flood)', () => {
  it.each([
    ['7/60', '7/60'],
    ['5 30', '5/30'],
    ['10 за 120', '10/120'],
    ['5 сообщений за 30 секунд', '5/30'],
    ['4 messages in 20 s', '4/20'],
    ['off', 'off'],
    ['выкл', 'off'],
  ])('takes «%s» as %s', (raw, stored) => {
    expect(changeSetting({}, 'flood', raw)).toMatchObject({ ok: true, key: 'flood', value: stored });
  });

  it.each([['2/60'], ['101/60'], ['7/5'], ['7/3601'], ['семь'], ['7'], ['']])('refuses «%s»', (raw) => {
    expect(changeSetting({}, 'flood', raw)).toEqual({ ok: false, problem: 'invalid_value', key: 'flood' });
  });

  it.each([
    ['7/60', { messages: 7, windowMs: 60_000 }],
    ['3/10', { messages: 3, windowMs: 10_000 }],
    ['off', undefined],
    ['2/60', undefined],
  ])('reads %s as %j', (value, threshold) => {
    expect(parseFlood(value)).toEqual(threshold);
  });
});

describe('a heated chat', () => {
  const thresholds = { messages: 5, minutes: 5, flagged: 2 };
  it('needs enough messages, people and flagged ones within the window', () => {
    const window: Parameters<typeof noteHeat>[0] = [];
    const results = ['a', 'b', 'c', 'a', 'b'].map((user, i) =>
      noteHeat(window, { at: i * 1000, user, flagged: i >= 3 }, thresholds),
    );
    expect(results).toEqual([false, false, false, false, true]);
    const calm: Parameters<typeof noteHeat>[0] = [];
    const quiet = [0, 1, 2, 3, 4].map((i) =>
      noteHeat(calm, { at: i * 1000, user: 'a', flagged: true }, thresholds),
    );
    expect(quiet.at(-1)).toBe(false);
    const slow: Parameters<typeof noteHeat>[0] = [];
    const spread = ['a', 'b', 'c', 'a', 'b'].map((user, i) =>
      noteHeat(slow, { at: i * 2 * 60_000, user, flagged: true }, thresholds),
    );
    expect(spread.at(-1)).toBe(false);
  });
});
