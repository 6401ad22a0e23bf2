import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/moderation/assistance/detect.js';
import { noteHeat } from '../../src/moderation/assistance/heat.js';
import {
  parseFlagRule,
  parseFlagWords,
  readFlagSettings,
  ruleFor,
} from '../../src/moderation/assistance/settings.js';

/** Invented examples (not lines of the labelled set): the disguises and the ordinary look-alikes. */
const signals = (text: string, options = {}) => checkMessage(text, options).map((f) => f.signal);

describe('the message check', () => {
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
