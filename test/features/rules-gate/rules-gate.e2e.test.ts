import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptances } from '../../../src/db/schema.js';
import { HOUR, MINUTE } from '../../../src/lib/clock.js';
import type { RecordedMessage } from '../../support/fake-bot-api/index.js';
import { Harness } from '../../support/harness.js';
import {
  botTexts,
  type ClassChat,
  classChat,
  lastBotText,
  lastPrivateText,
  openPrivateChat,
  SENT_PRIVATELY,
} from '../../support/school.js';

const BUTTON = 'Принимаю правила';

/** The teacher asks for a join link; returns its URL. */
async function inviteLink(h: Harness, c: ClassChat): Promise<string> {
  h.api.sendMessage(c.chatId, c.teacher, '/invite');
  await h.settle();
  const url = /https:\/\/t\.me\/\+\S+/.exec(lastBotText(h, c.chatId))?.[0];
  if (!url) throw new Error(`no link in: ${lastBotText(h, c.chatId)}`);
  return url;
}

function keyboardData(message: RecordedMessage | undefined) {
  const button = message?.reply_markup?.inline_keyboard[0]?.[0];
  return { text: button?.text, data: button && 'callback_data' in button ? button.callback_data : undefined };
}

function openGreetings(h: Harness, chatId: number) {
  return h.api.botMessages(chatId).filter((message) => (message.text ?? '').startsWith('Добро пожаловать'));
}

describe('4.13.3 rules before entry: newcomers accept the rules before they may write', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('sends a join request the rules privately, approves it on acceptance and keeps the proof', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const url = await inviteLink(h, c);
    expect(lastBotText(h, c.chatId)).toContain('сначала получит правила в личном сообщении');
    const link = h.api.inviteLinks(c.chatId).find((l) => l.invite_link === url);
    expect(link?.creates_join_request).toBe(true);

    const galina = h.api.createUser({ first_name: 'Галина', last_name: 'Орлова' });
    h.api.requestJoin(c.chatId, galina, url);
    await h.settle();
    const rulesMessage = h.api.lastBotMessage(galina.id);
    expect(rulesMessage?.text).toContain(
      'Здравствуйте, Галина Орлова! Вы подали заявку на вступление в чат «7Б»',
    );
    expect(rulesMessage?.text).toContain('1. Общаемся вежливо\n2. Без рекламы');
    expect(rulesMessage?.text).toContain('в течение 48 часов');
    const button = keyboardData(rulesMessage);
    expect(button.text).toBe(BUTTON);
    expect(h.api.member(c.chatId, galina).status).toBe('left');

    const press = h.api.pressButton(galina.id, rulesMessage?.message_id ?? 0, galina, button.data ?? '');
    await h.settle();
    expect(h.api.callbackAnswer(press)?.text).toBe('Спасибо! Теперь вы можете писать в чат.');
    expect(h.api.joinRequests(c.chatId).at(-1)?.status).toBe('approved');
    expect(h.api.member(c.chatId, galina).status).toBe('member');
    expect(h.api.lastBotMessage(galina.id)?.text).toBe(
      'Спасибо! Вы приняли правила чата «7Б», заявка одобрена. Добро пожаловать!',
    );
    // Accepted already: no greeting and no restriction in the chat.
    expect(openGreetings(h, c.chatId)).toHaveLength(0);
    h.api.sendMessage(c.chatId, galina, 'Здравствуйте всем!');
    const proof = await h.db.database.db.select().from(acceptances);
    expect(proof).toEqual([expect.objectContaining({ rulesVersion: 2, via: 'join_request' })]);

    // The button is gone with the edit, so the request cannot be accepted twice.
    expect(keyboardData(h.api.lastBotMessage(galina.id)).data).toBeUndefined();
  });

  it('declines a request nobody answered within gate_hours and says so politely', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { gate_hours: '24' } });
    const url = await inviteLink(h, c);
    const dmitry = h.api.createUser({ first_name: 'Дмитрий' });
    h.api.requestJoin(c.chatId, dmitry, url);
    await h.settle();
    await h.advance(23 * HOUR);
    await h.app.jobs.run('expire-join-requests');
    await h.settle();
    expect(h.api.joinRequests(c.chatId).at(-1)?.status).toBe('pending');
    await h.advance(HOUR + MINUTE);
    await h.app.jobs.run('expire-join-requests');
    await h.settle();
    expect(h.api.joinRequests(c.chatId).at(-1)?.status).toBe('declined');
    expect(h.api.lastBotMessage(dmitry.id)?.text).toBe(
      'Заявка на вступление в чат «7Б» отклонена: правила не приняты в течение 24 часов. Подать заявку снова можно по той же ссылке.',
    );
    expect(keyboardData(h.api.lastBotMessage(dmitry.id)).data).toBeUndefined();
  });

  it('makes a directly added member read-only until their own press, then deletes the greeting', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna] = c.parents as [User];
    const egor = h.api.createUser({ first_name: 'Егор', last_name: 'Лебедев' });
    h.api.addMember(c.chatId, egor, { by: c.teacher });
    await h.settle();
    expect(h.api.member(c.chatId, egor).status).toBe('restricted');
    expect(() => h!.api.sendMessage(c.chatId, egor, 'Привет')).toThrow();
    const [greeting] = openGreetings(h, c.chatId);
    expect(greeting?.text).toContain('Добро пожаловать, Егор Лебедев! Это чат «7Б».');
    expect(greeting?.text).toContain('1. Общаемся вежливо');
    const button = keyboardData(greeting);
    expect(button.text).toBe(BUTTON);

    const other = h.api.pressButton(c.chatId, greeting?.message_id ?? 0, anna, button.data ?? '');
    await h.settle();
    expect(h.api.callbackAnswer(other)).toEqual({
      text: 'Эта кнопка — для новых участников, которых приветствует это сообщение.',
      show_alert: true,
    });
    expect(h.api.member(c.chatId, egor).status).toBe('restricted');

    const own = h.api.pressButton(c.chatId, greeting?.message_id ?? 0, egor, button.data ?? '');
    await h.settle();
    expect(h.api.callbackAnswer(own)?.text).toBe('Спасибо! Теперь вы можете писать в чат.');
    expect(h.api.member(c.chatId, egor).status).toBe('member');
    h.api.sendMessage(c.chatId, egor, 'Здравствуйте!');
    expect(h.api.messages(c.chatId).find((m) => m.message_id === greeting?.message_id)?.deleted).toBe(true);
    const proof = await h.db.database.db.select().from(acceptances).where(eq(acceptances.via, 'greeting'));
    expect(proof).toHaveLength(1);
  });

  it('greets three members added together with one message, edited as they arrive', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const newcomers = ['Жанна', 'Зоя', 'Игорь'].map((first_name) => h!.api.createUser({ first_name }));
    for (const user of newcomers) h.api.addMember(c.chatId, user, { by: c.teacher });
    await h.settle();
    const greetings = openGreetings(h, c.chatId);
    expect(greetings).toHaveLength(1);
    expect(greetings[0]?.text).toContain('Добро пожаловать, Жанна, Зоя, Игорь!');
    for (const user of newcomers) expect(h.api.member(c.chatId, user).status).toBe('restricted');

    const data = keyboardData(greetings[0]).data ?? '';
    h.api.pressButton(c.chatId, greetings[0]?.message_id ?? 0, newcomers[0] as User, data);
    await h.settle();
    expect(h.api.messages(c.chatId).find((m) => m.message_id === greetings[0]?.message_id)?.text).toContain(
      'Добро пожаловать, Зоя, Игорь!',
    );
    for (const user of newcomers.slice(1))
      h.api.pressButton(c.chatId, greetings[0]?.message_id ?? 0, user, data);
    await h.settle();
    expect(h.api.messages(c.chatId).find((m) => m.message_id === greetings[0]?.message_id)?.deleted).toBe(
      true,
    );
    for (const user of newcomers) expect(h.api.member(c.chatId, user).status).toBe('member');

    // Someone arriving much later gets a greeting of their own.
    await h.advance(2 * MINUTE);
    const late = h.api.createUser({ first_name: 'Кирилл' });
    h.api.addMember(c.chatId, late, { by: c.teacher });
    await h.settle();
    expect(openGreetings(h, c.chatId).at(-1)?.text).toContain('Добро пожаловать, Кирилл!');
  });

  it('with rules_gate off greets newcomers with the rules and restricts nobody', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { rules_gate: 'off' } });
    const lev = h.api.createUser({ first_name: 'Лев' });
    h.api.addMember(c.chatId, lev, { by: c.teacher });
    await h.settle();
    expect(h.api.member(c.chatId, lev).status).toBe('member');
    const greeting = openGreetings(h, c.chatId).at(-1);
    expect(greeting?.text).toContain(
      'Добро пожаловать, Лев! Это чат «7Б». Пожалуйста, прочитайте правила чата.',
    );
    expect(greeting?.reply_markup).toBeUndefined();
    const url = await inviteLink(h, c);
    expect(lastBotText(h, c.chatId)).toContain('Проверка правил выключена');
    const mila = h.api.createUser({ first_name: 'Мила' });
    h.api.requestJoin(c.chatId, mila, url);
    await h.settle();
    expect(h.api.member(c.chatId, mila).status).toBe('member');
  });

  it('keeps working across a restart between the greeting and the press', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const nina = h.api.createUser({ first_name: 'Нина' });
    h.api.addMember(c.chatId, nina, { by: c.teacher });
    await h.settle();
    const greeting = openGreetings(h, c.chatId).at(-1);
    await h.restart();
    h.api.pressButton(c.chatId, greeting?.message_id ?? 0, nina, keyboardData(greeting).data ?? '');
    await h.settle();
    expect(h.api.member(c.chatId, nina).status).toBe('member');
    expect(h.api.messages(c.chatId).find((m) => m.message_id === greeting?.message_id)?.deleted).toBe(true);
  });

  it('does not restrict members who were there before the bot, nor those who accepted an older version', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna] = c.parents as [User];
    h.api.sendMessage(c.chatId, anna, 'Я здесь давно');
    await h.settle();
    expect(h.api.member(c.chatId, anna).status).toBe('member');

    const olga = h.api.createUser({ first_name: 'Ольга' });
    h.api.addMember(c.chatId, olga, { by: c.teacher });
    await h.settle();
    const greeting = openGreetings(h, c.chatId).at(-1);
    h.api.pressButton(c.chatId, greeting?.message_id ?? 0, olga, keyboardData(greeting).data ?? '');
    h.api.sendMessage(c.chatId, c.teacher, '/setrules\nНовое правило один\nНовое правило два');
    await h.settle();
    h.api.removeMember(c.chatId, olga);
    await h.settle();
    h.api.addMember(c.chatId, olga, { by: c.teacher });
    await h.settle();
    expect(h.api.member(c.chatId, olga).status).toBe('member');

    await openPrivateChat(h, c.teacher);
    h.api.sendMessage(c.chatId, c.teacher, '/stats');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe(SENT_PRIVATELY('stats'));
    const stats = lastPrivateText(h, c.teacher);
    expect(stats).toContain('Приняли действующие правила (редакция 3): 0');
    expect(stats).toContain('Приняли какую-либо редакцию правил: 1');

    h.api.sendMessage(c.chatId, c.teacher, '/rules confirm');
    await h.settle();
    const confirm = h.api.lastBotMessage(c.chatId);
    expect(confirm?.text).toContain(
      'Модератор просит участников подтвердить, что они ознакомились с правилами чата (редакция 3).',
    );
    const data = keyboardData(confirm).data ?? '';
    const first = h.api.pressButton(c.chatId, confirm?.message_id ?? 0, anna, data);
    const second = h.api.pressButton(c.chatId, confirm?.message_id ?? 0, olga, data);
    const repeat = h.api.pressButton(c.chatId, confirm?.message_id ?? 0, anna, data);
    await h.settle();
    expect(h.api.callbackAnswer(first)?.text).toBe('Спасибо, ваше согласие с правилами отмечено.');
    expect(h.api.callbackAnswer(second)?.text).toBe('Спасибо, ваше согласие с правилами отмечено.');
    expect(h.api.callbackAnswer(repeat)?.text).toBe('Вы уже приняли правила этого чата.');
    expect(h.api.member(c.chatId, anna).status).toBe('member');
    h.api.sendMessage(c.chatId, c.teacher, '/stats');
    await h.settle();
    expect(lastPrivateText(h, c.teacher)).toContain('Приняли действующие правила (редакция 3): 2');

    const boris = c.parents[1] as User;
    h.api.sendMessage(c.chatId, boris, '/rules confirm');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toContain('только модераторам');
  });

  it('declines the join request of a member blocked in ban mode and tells them why', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { block_mode: 'ban' } });
    const [anna] = c.parents as [User];
    for (let i = 0; i < 4; i += 1) {
      const message = h.api.sendMessage(c.chatId, anna, 'реклама');
      h.api.sendMessage(c.chatId, c.teacher, '/strike 2', { replyTo: message.message_id });
      await h.settle();
    }
    expect(h.api.member(c.chatId, anna).status).toBe('kicked');
    const url = await inviteLink(h, c);
    // An administrator lifts the ban by hand; the applicant tries the link while the block runs.
    await h.bot.telegram!.call('unbanChatMember', {
      chat_id: c.chatId,
      user_id: anna.id,
      only_if_banned: true,
    });
    h.api.requestJoin(c.chatId, anna, url);
    await h.settle();
    expect(h.api.joinRequests(c.chatId).at(-1)?.status).toBe('declined');
    expect(h.api.lastBotMessage(anna.id)?.text).toMatch(
      /^Заявка на вступление в чат «7Б» отклонена: у вас блокировка в этом чате до .+ за нарушение правил\.$/,
    );
    expect(botTexts(h, c.chatId).some((text) => text.startsWith('Добро пожаловать'))).toBe(false);
  });
});
