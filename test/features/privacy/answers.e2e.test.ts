import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { api, school } from '../../support/roster.js';
import {
  botTexts,
  classChat,
  lastPrivateText,
  openPrivateChat,
  SENT_PRIVATELY,
} from '../../support/school.js';

const START_LINK = 'https://t.me/class_moderator_bot?start=answers';

/** What the bot posts in a group while `act` runs: the texts that are new afterwards. */
async function newInGroup(h: Harness, chatId: number, act: () => unknown): Promise<string[]> {
  const before = botTexts(h, chatId).length;
  act();
  await h.settle();
  return botTexts(h, chatId).slice(before);
}

function deleted(h: Harness, chatId: number, messageId: number): boolean | undefined {
  return h.api.messages(chatId).find((m) => m.message_id === messageId)?.deleted;
}

describe('4.13 privacy in class chats: answers that list people or history go to the moderator privately', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('4.13 privacy: /log, /strikes, /stats and /settings answer the moderator privately; the group reads one neutral line', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    const rude = h.api.sendMessage(c.chatId, anna, 'Грубость');
    h.api.sendMessage(c.chatId, c.teacher, '/strike 1 хамство', { replyTo: rude.message_id });
    await h.settle();

    // No private chat yet: the group reads where the answer would go and the start link, nothing else.
    let command = { message_id: 0 };
    const first = await newInGroup(h, c.chatId, () => {
      command = h?.api.sendMessage(c.chatId, c.teacher, '/log') ?? command;
    });
    expect(first).toEqual([
      `Ответ на /log бот присылает только в личные сообщения. Откройте личный чат с ботом: ${START_LINK} — и повторите команду.`,
    ]);
    expect(deleted(h, c.chatId, command.message_id)).toBe(true);

    h.api.privateMessage(c.teacher, '/start answers');
    await h.settle();
    expect(lastPrivateText(h, c.teacher)).toBe(
      'Готово: ответы на команды модератора будут приходить сюда. Повторите команду в чате.',
    );

    const expected: Array<[string, RegExp]> = [
      [
        'log',
        /^Чат «7Б»:\nПоследние действия модерации:\n.+Анна Петрова: предупреждение, правило 1 \(модератор: Мария Ивановна\)/,
      ],
      ['strikes', /^Чат «7Б»:\nУчастники с действующими предупреждениями:\nАнна Петрова — 1 предупреждение$/],
      ['stats', /^Чат «7Б»:\n.*«7Б»[\s\S]*Приняли действующие правила/],
      [
        'settings',
        /^Чат «7Б»:\nНастройки чата:\n[\s\S]*Допустимо предупреждений: 3, блокировка — за 4-е нарушение \(strike_limit\)/,
      ],
    ];
    for (const [name, privately] of expected) {
      const lines = await newInGroup(h, c.chatId, () => {
        command = h?.api.sendMessage(c.chatId, c.teacher, `/${name}`) ?? command;
      });
      expect(lines, name).toEqual([SENT_PRIVATELY(name)]);
      expect(deleted(h, c.chatId, command.message_id), name).toBe(true);
      expect(lastPrivateText(h, c.teacher), name).toMatch(privately);
    }

    // A member's strikes as a reply: privately too, with the moderator's reason kept out of the group.
    const annaAgain = h.api.sendMessage(c.chatId, anna, 'ещё');
    const lines = await newInGroup(h, c.chatId, () =>
      h?.api.sendMessage(c.chatId, c.teacher, '/strikes', { replyTo: annaAgain.message_id }),
    );
    expect(lines).toEqual([SENT_PRIVATELY('strikes')]);
    expect(lastPrivateText(h, c.teacher)).toContain('Причина: хамство.');
    for (const text of botTexts(h, c.chatId)) {
      expect(text).not.toContain('хамство');
      expect(text).not.toContain('Последние действия модерации');
    }
    // A member's own /strikes is unchanged: privately when possible.
    h.api.privateMessage(boris, '/start');
    await h.settle();
    expect(await newInGroup(h, c.chatId, () => h?.api.sendMessage(c.chatId, boris, '/strikes'))).toEqual([
      'Ответ — в личных сообщениях.',
    ]);
  });

  it('4.13 privacy: the result of /link goes to the moderator privately, with the school’s name of the person', async () => {
    h = await Harness.start();
    const s = await school(h);
    await openPrivateChat(h, s.teacher);
    const dima = h.api.createUser({ first_name: 'Дима' });
    h.api.addMember(s.chats.classChat, dima, { by: s.teacher });
    const message = h.api.sendMessage(s.chats.classChat, dima, 'Привет');
    const lines = await newInGroup(h, s.chats.classChat, () =>
      h?.api.sendMessage(s.chats.classChat, s.teacher, '/link S1', { replyTo: message.message_id }),
    );
    expect(lines).toEqual([SENT_PRIVATELY('link')]);
    expect(lastPrivateText(h, s.teacher)).toBe(
      'Чат «7Б»:\nДима: аккаунт связан с записью школы — обучающийся S1 (Иван Петров).',
    );
  });

  it('4.13 privacy: a command answered privately is deleted through a passing outage, and a mute does not wait behind it', async () => {
    h = await Harness.start({ outbox: { backoffMs: 20, maxBackoffMs: 200, pollMs: 50 } });
    const c = await classChat(h);
    const [anna] = c.parents as [User];
    // Telegram refuses deletions for a while (more than the three tries such a deletion once had).
    h.api.fail('deleteMessage', { status: 502 }, { times: 5 });
    const command = h.api.sendMessage(c.chatId, c.teacher, '/log');
    const rude = h.api.sendMessage(c.chatId, anna, 'Грубость');
    for (const rule of [1, 2, 3, 1]) {
      h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule}`, { replyTo: rude.message_id });
    }
    await h.settle();
    expect(deleted(h, c.chatId, command.message_id)).toBe(true);
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
  });

  it('4.13 privacy: a failure report goes to the moderators privately and names nobody in the group', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const anna = c.parents[0] as User;
    await openPrivateChat(h, c.teacher);
    h.api.fail(
      'deleteMessage',
      { status: 400, description: 'Bad Request: not enough rights to delete a message' },
      { times: 2 },
    );
    const before = botTexts(h, c.chatId).length;
    const spam = h.api.sendMessage(c.chatId, anna, 'спам');
    h.api.sendMessage(c.chatId, c.teacher, '/del', { replyTo: spam.message_id });
    await h.settle();
    expect(lastPrivateText(h, c.teacher)).toBe(
      'Чат «7Б»:\nНе удалось удалить сообщение — у меня нет права «Удаление сообщений». Проверьте мои права администратора.',
    );
    expect(botTexts(h, c.chatId).slice(before)).toEqual([]);
  });

  it('4.13 privacy: a report confirmation goes to the reporter privately; the group reads nothing', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    await openPrivateChat(h, c.teacher);
    await openPrivateChat(h, boris);
    const rude = h.api.sendMessage(c.chatId, anna, 'Грубость');
    let command = { message_id: 0 };
    const lines = await newInGroup(h, c.chatId, () => {
      command =
        h?.api.sendMessage(c.chatId, boris, '/report оскорбление', { replyTo: rude.message_id }) ?? command;
    });
    expect(lines).toEqual([]);
    expect(deleted(h, c.chatId, command.message_id)).toBe(true);
    expect(lastPrivateText(h, boris)).toBe('Чат «7Б»:\nСпасибо, жалоба передана модераторам.');
    expect(lastPrivateText(h, c.teacher)).toContain('Автор жалобы: Борис Смирнов');
  });

  it('4.13 privacy: a roster removal’s summary in the group is a neutral count; the names go to the moderators privately', async () => {
    h = await Harness.start();
    const s = await school(h);
    await openPrivateChat(h, s.teacher);
    const before = botTexts(h, s.chats.parents7).length;
    const push = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd1', type: 'student.departed', studentId: 'S1' }] },
    });
    expect(push.status).toBe(200);
    await h.settle();
    expect(botTexts(h, s.chats.parents7).slice(before)).toEqual([
      'По данным школы из чата удалены 2 участника (п. 4.13.8 положения: выбытие обучающегося или увольнение работника).',
    ]);
    expect(botTexts(h, s.teacher.id)).toEqual(
      expect.arrayContaining([
        'Чат «7Б — родители»:\nПо данным школы из чата удалены: Анна Петрова, Вера Козлова (п. 4.13.8 положения: выбытие обучающегося или увольнение работника).',
      ]),
    );
  });
});
