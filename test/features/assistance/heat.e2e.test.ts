import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { botTexts, classChat } from '../../support/school.js';

const REMINDER = 'Обсуждение стало жарким. Напоминаю правила чата — давайте общаться по ним.';

describe('4.13.4 a heated chat gets the rules reminder once, and the moderators are told', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** 30 messages from three parents, two of them flagged. */
  function burst(hh: Harness, chatId: number, parents: User[], round: number) {
    for (let i = 0; i < 30; i++) {
      const author = parents[i % 3] as User;
      const text = i === 10 || i === 20 ? `Ты дурак, ${i}` : `Сообщение ${round}-${i} о поездке`;
      hh.api.sendMessage(chatId, author, text);
    }
  }

  it('posts the reminder with the rules once for a burst, not again within 6 hours, again after', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    h.api.privateMessage(c.teacher, '/start');
    await h.settle();
    burst(h, c.chatId, c.parents, 1);
    await h.settle();
    const reminders = () => botTexts(h as Harness, c.chatId).filter((text) => text.startsWith(REMINDER));
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]).toContain('1. Общаемся вежливо');
    expect(botTexts(h, c.teacher.id).filter((text) => text.includes('Чат «7Б» разгорелся'))).toHaveLength(1);
    burst(h, c.chatId, c.parents, 2);
    await h.settle();
    expect(reminders()).toHaveLength(1);
    await h.advance(6 * HOUR + 1000);
    burst(h, c.chatId, c.parents, 3);
    await h.settle();
    expect(reminders()).toHaveLength(2);
  });

  it('stays quiet for a busy but calm chat (nothing flagged)', async () => {
    h = await Harness.start();
    const names = ['Анна А', 'Борис Б', 'Вера В', 'Глеб Г', 'Дина Д', 'Егор Е', 'Жанна Ж', 'Зоя З'];
    const c = await classChat(h, { parents: names });
    for (let i = 0; i < 40; i++) h.api.sendMessage(c.chatId, c.parents[i % 8] as User, `Едем в ${i}:00?`);
    await h.settle();
    expect(botTexts(h, c.chatId).filter((text) => text.startsWith(REMINDER))).toHaveLength(0);
  });
});
