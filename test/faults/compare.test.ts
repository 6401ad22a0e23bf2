import { describe, expect, it } from 'vitest';
import { compareAll, compareSeen, realDifferences } from './compare.js';

const seen = (sent: string, now = sent) => ({ sent, now });

describe('comparing what people saw in two runs', () => {
  it('counts a copy of a sent message as an extra, not as agreement', () => {
    const clean = [seen('Голосование', 'Итог: разблокирован'), seen('Привет')];
    const faulty = [seen('Голосование'), seen('Голосование', 'Итог: разблокирован'), seen('Привет')];
    expect(compareSeen(clean, faulty)).toEqual({
      extra: [seen('Голосование')],
      missing: [],
      unexpected: [],
      notices: [],
    });
  });

  it('reports a lost message and one the clean run never sent', () => {
    const clean = [seen('Блокировка'), seen('Привет')];
    const faulty = [seen('Привет'), seen('Чужое')];
    expect(compareSeen(clean, faulty)).toEqual({
      extra: [],
      missing: [seen('Блокировка')],
      unexpected: [seen('Чужое')],
      notices: [],
    });
  });

  it('does not take a second announcement for a copy when the clean run sent it once and never again', () => {
    const clean = [seen('Блокировка', 'Блокировка снята')];
    const faulty = [seen('Блокировка'), seen('Блокировка')];
    const { extra, missing } = compareSeen(clean, faulty);
    // Neither is what the clean run shows now: the edit is lost, whatever the extras.
    expect(missing).toEqual([seen('Блокировка', 'Блокировка снята')]);
    expect(extra).toHaveLength(2);
  });

  it('counts a copy of a message the clean run deleted since (an accepted greeting) as an extra', () => {
    const clean = [{ ...seen('Добро пожаловать'), deleted: true }];
    const faulty = [seen('Добро пожаловать'), { ...seen('Добро пожаловать'), deleted: true }];
    expect(compareSeen(clean, faulty)).toEqual({
      extra: [seen('Добро пожаловать')],
      missing: [],
      unexpected: [],
      notices: [],
    });
  });

  it('reports a delete that was lost: the clean run deleted the message, the faulty run shows it', () => {
    const clean = [{ ...seen('Добро пожаловать'), deleted: true }];
    const faulty = [seen('Добро пожаловать')];
    const difference = compareSeen(clean, faulty);
    expect(difference.missing).toEqual(clean);
  });

  it('knows a deleted message by the text it was sent with (what it said in between depends on timing)', () => {
    const clean = [{ ...seen('Добро пожаловать, Аня', 'Добро пожаловать, Боря'), deleted: true }];
    const faulty = [{ ...seen('Добро пожаловать, Аня', 'Добро пожаловать, Аня и Боря'), deleted: true }];
    expect(compareSeen(clean, faulty)).toEqual({ extra: [], missing: [], unexpected: [], notices: [] });
  });

  it('counts a notice that the messenger refused for good apart, neither agreement nor a copy', () => {
    // The words the bot now uses (block.lift_failed with block.why_refused): the platform's own are for the log.
    const notice = seen(
      'Аня: снять блокировку не удаётся — мессенджер не дал выполнить это действие. Я попробую ещё раз.',
    );
    const { compared } = { compared: compareSeen([], [notice]) };
    expect(compared).toEqual({ extra: [], missing: [], unexpected: [], notices: [notice] });
    expect(compareAll(new Map(), new Map([['Класс 1А', [notice]]])).notices).toBe(1);
  });

  it('sums extras over places and keeps only real differences as disagreement', () => {
    const clean = new Map([
      ['Класс 1А', [seen('А')]],
      ['Иванов', [seen('Б')]],
    ]);
    const faulty = new Map([
      ['Класс 1А', [seen('А'), seen('А')]],
      ['Иванов', [seen('Б')]],
      ['Петров', [seen('В')]],
    ]);
    const { extraCopies, differences } = compareAll(clean, faulty);
    expect(extraCopies).toBe(1);
    expect(Object.keys(realDifferences(differences))).toEqual(['Петров']);
  });

  it('takes a missing message as no difference only when the faulty run recorded that send as failed there', () => {
    const clean = new Map([['Класс 1А', [seen('А'), seen('А'), seen('Б')]]]);
    const faulty = new Map([['Класс 1А', [seen('Б')]]]);
    const { differences } = compareAll(clean, faulty);
    // Both copies of «А» are missing: one recorded failure accounts for one of them, not both.
    expect(realDifferences(differences, new Map([['Класс 1А', ['А']]]))['Класс 1А']?.missing).toEqual([
      seen('А'),
    ]);
    expect(realDifferences(differences, new Map([['Класс 1А', ['А', 'А']]]))).toEqual({});
    // A failure recorded in another place or with another text accounts for nothing here.
    expect(Object.keys(realDifferences(differences, new Map([['Класс 2Б', ['А', 'А']]])))).toEqual([
      'Класс 1А',
    ]);
    expect(Object.keys(realDifferences(differences, new Map([['Класс 1А', ['В', 'В']]])))).toEqual([
      'Класс 1А',
    ]);
  });
});
