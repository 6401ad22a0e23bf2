import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../../src/lib/clock.js';
import type { RecordedMessage } from '../../support/fake-bot-api/index.js';
import { Harness } from '../../support/harness.js';
import { attachToSchool } from '../../support/roster.js';
import { type ClassChat, classChat, lastBotText } from '../../support/school.js';

function button(message: RecordedMessage | undefined, row = 0, column = 0) {
  const found = message?.reply_markup?.inline_keyboard[row]?.[column];
  return { text: found?.text, data: found && 'callback_data' in found ? found.callback_data : undefined };
}

describe('4.11.2, 4.13.8 strangers never enter a school’s class chat unseen: a moderator lets them in', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** A chat of school 1 whose teacher has a private chat with the bot, and a join link. */
  async function schoolChat(hh: Harness): Promise<{ c: ClassChat; url: string }> {
    const c = await classChat(hh);
    await attachToSchool(hh, c.chatId, c.teacher);
    hh.api.privateMessage(c.teacher, '/start');
    hh.api.sendMessage(c.chatId, c.teacher, '/invite');
    await hh.settle();
    const url = /https:\/\/t\.me\/\+\S+/.exec(lastBotText(hh, c.chatId))?.[0] ?? '';
    return { c, url };
  }

  /** A stranger asks to join and accepts the rules; returns them and the moderator's message about them. */
  async function strangerAccepts(hh: Harness, c: ClassChat, url: string) {
    const stranger = hh.api.createUser({ first_name: 'Степан', last_name: 'Иванов' });
    hh.api.requestJoin(c.chatId, stranger, url);
    await hh.settle();
    const rules = hh.api.lastBotMessage(stranger.id);
    const press = hh.api.pressButton(stranger.id, rules?.message_id ?? 0, stranger, button(rules).data ?? '');
    await hh.settle();
    return { stranger, press, ask: hh.api.lastBotMessage(c.teacher.id) };
  }

  it('holds a join request of someone the roster does not know after they accept the rules', async () => {
    h = await Harness.start();
    const { c, url } = await schoolChat(h);
    const { stranger, press, ask } = await strangerAccepts(h, c, url);
    expect(h.api.callbackAnswer(press)?.text).toBe(
      'Правила приняты. Осталось решение модератора: вы сможете войти в чат, как только заявку одобрят.',
    );
    expect(h.api.member(c.chatId, stranger).status).toBe('left');
    expect(ask?.text).toContain('Чат «7Б»: Степан Иванов хочет вступить.');
    expect([button(ask, 0, 0).text, button(ask, 0, 1).text]).toEqual(['Принять', 'Отклонить']);
  });

  it('asks the moderators of several chats at once right after a restart, when nothing is cached yet', async () => {
    // Who moderates a school chat is read inside the newcomer's transaction. Read on the pool instead, it
    // waits for a second connection while holding one: PGlite has one connection, PostgreSQL's pool was
    // held whole by a handful of chats at once after a restart (the faulty school day stopped).
    h = await Harness.start();
    const hh = h;
    const chats = [];
    for (let i = 0; i < 6; i += 1) chats.push(await schoolChat(hh));
    await hh.restart();
    const strangers = chats.map(({ c, url }, i) => {
      const stranger = hh.api.createUser({ first_name: 'Гость', last_name: `№${i}` });
      hh.api.requestJoin(c.chatId, stranger, url);
      return stranger;
    });
    await hh.settle();
    for (const stranger of strangers) {
      const rules = hh.api.lastBotMessage(stranger.id);
      hh.api.pressButton(stranger.id, rules?.message_id ?? 0, stranger, button(rules).data ?? '');
    }
    await hh.settle();
    for (const [i, { c }] of chats.entries()) {
      expect(hh.api.lastBotMessage(c.teacher.id)?.text).toContain(`Гость №${i} хочет вступить.`);
    }
  });

  it('lets them in when a moderator presses «Принять»', async () => {
    h = await Harness.start();
    const { c, url } = await schoolChat(h);
    const { stranger, ask } = await strangerAccepts(h, c, url);
    const press = h.api.pressButton(
      c.teacher.id,
      ask?.message_id ?? 0,
      c.teacher,
      button(ask, 0, 0).data ?? '',
    );
    await h.settle();
    expect(h.api.callbackAnswer(press)?.text).toBe('Принято: Степан Иванов может войти в чат «7Б».');
    expect(h.api.member(c.chatId, stranger).status).toBe('member');
  });

  it('declines the request when a moderator presses «Отклонить», and their message keeps the decision without buttons', async () => {
    h = await Harness.start();
    const { c, url } = await schoolChat(h);
    const { stranger, ask } = await strangerAccepts(h, c, url);
    h.api.pressButton(c.teacher.id, ask?.message_id ?? 0, c.teacher, button(ask, 0, 1).data ?? '');
    await h.settle();
    expect(h.api.member(c.chatId, stranger).status).toBe('left');
    expect(h.api.joinRequests(c.chatId).map((r) => r.status)).toEqual(['declined']);
    const decided = h.api.messages(c.teacher.id).find((m) => m.message_id === ask?.message_id);
    expect(decided?.text).toBe('Отклонено: Степан Иванов не войдёт в чат «7Б».');
    expect(decided?.reply_markup?.inline_keyboard ?? []).toEqual([]);
  });

  it('declines a request nobody answered once gate_hours pass', async () => {
    h = await Harness.start();
    const { c, url } = await schoolChat(h);
    const { stranger } = await strangerAccepts(h, c, url);
    await h.advance(48 * HOUR + MINUTE);
    await h.app.jobs.run('expire-join-requests');
    await h.settle();
    expect(h.api.member(c.chatId, stranger).status).toBe('left');
    expect(h.api.callsTo('declineChatJoinRequest').filter((call) => call.ok)).toHaveLength(1);
  });

  it('keeps someone a member added (not a moderator) read-only after the rules until a moderator lets them in', async () => {
    h = await Harness.start();
    const { c } = await schoolChat(h);
    const anna = c.parents[0] as User;
    const guest = h.api.createUser({ first_name: 'Гость' });
    h.api.addMember(c.chatId, guest, { by: anna });
    await h.settle();
    const greeting = h.api.lastBotMessage(c.chatId);
    h.api.pressButton(c.chatId, greeting?.message_id ?? 0, guest, button(greeting).data ?? '');
    await h.settle();
    expect(h.api.member(c.chatId, guest).status).toBe('restricted');
    const ask = h.api.lastBotMessage(c.teacher.id);
    h.api.pressButton(c.teacher.id, ask?.message_id ?? 0, c.teacher, button(ask, 0, 0).data ?? '');
    await h.settle();
    expect(h.api.member(c.chatId, guest).status).toBe('member');
  });
});
