import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../../src/lib/clock.js';
import type { RecordedMessage } from '../../support/fake-bot-api/index.js';
import { Harness } from '../../support/harness.js';
import {
  botTexts,
  type ClassChat,
  classChat,
  lastPrivateText,
  SENT_PRIVATELY,
} from '../../support/school.js';

function buttons(message: RecordedMessage | undefined) {
  return (message?.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({
    text: b.text,
    data: 'callback_data' in b ? b.callback_data : '',
  }));
}

/** The teacher's private messages from the bot that are suggestions (they carry buttons). */
function suggestions(h: Harness, teacher: User): RecordedMessage[] {
  return h.api.botMessages(teacher.id).filter((m) => (m.reply_markup?.inline_keyboard.length ?? 0) > 0);
}

async function chatWithTeacher(h: Harness): Promise<ClassChat> {
  const c = await classChat(h);
  h.api.privateMessage(c.teacher, '/start');
  await h.settle();
  return c;
}

async function press(h: Harness, c: ClassChat, message: RecordedMessage | undefined, label: string) {
  const data = buttons(message).find((b) => b.text === label)?.data ?? '';
  const id = h.api.pressButton(c.teacher.id, message?.message_id ?? 0, c.teacher, data);
  await h.settle();
  return h.api.callbackAnswer(id)?.text;
}

describe('4.13.2 help for the moderator: a flagged message is a private suggestion, never a sanction', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('sends the moderator the excerpt, the suspected rule and three buttons; nothing happens in the chat', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    const before = botTexts(h, c.chatId).length;
    h.api.sendMessage(c.chatId, anna, 'Ну ты и дуууурак, Борис');
    await h.settle();
    const [suggestion] = suggestions(h, c.teacher);
    expect(suggestion?.text).toContain(
      'Возможно, нарушение в чате «7Б»: оскорбление или нецензурная лексика.',
    );
    expect(suggestion?.text).toContain('«Ну ты и дуууурак, Борис»');
    expect(suggestion?.text).toContain('Похоже на правило 1: Общаемся вежливо');
    expect(buttons(suggestion).map((b) => b.text)).toEqual([
      'Предупреждение по правилу 1',
      'Удалить',
      'Не нарушение',
    ]);
    for (const b of buttons(suggestion)) expect([...b.text].length).toBeLessThanOrEqual(32);
    expect(botTexts(h, c.chatId)).toHaveLength(before);
    expect(h.api.callsTo('restrictChatMember')).toHaveLength(0);
    expect(h.api.callsTo('deleteMessage')).toHaveLength(0);
  });

  it('does not flag ordinary messages, nor a moderator’s own', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    h.api.sendMessage(
      c.chatId,
      anna,
      'Блин, забыла сменку. Корабля в учебнике нет, скидка на экскурсию от школы.',
    );
    h.api.sendMessage(c.chatId, c.teacher, 'Вступайте в наш канал: t.me/+FakeTeacherChannel');
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(0);
  });

  it('«Предупреждение по правилу N» records the strike as /strike N in reply would, with the moderator as author', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    const offending = h.api.sendMessage(c.chatId, anna, 'Вступайте: bit.ly/fakeMoney');
    await h.settle();
    const [suggestion] = suggestions(h, c.teacher);
    expect(suggestion?.text).toContain('Похоже на правило 2: Без рекламы');
    const answer = await press(h, c, suggestion, 'Предупреждение по правилу 2');
    expect(answer).toBe('Предупреждение по правилу 2 записано (чат «7Б»).');
    const reply = h.api.botMessages(c.chatId).at(-1);
    expect(reply?.text).toBe('Предупреждение 1 из 3 — правило 2: Без рекламы.');
    expect(reply?.reply_to_message_id).toBe(offending.message_id);
    h.api.sendMessage(c.chatId, c.teacher, '/log');
    await h.settle();
    // The log goes to the moderator privately (4.13 privacy); the strike is theirs, as /strike's would be.
    expect(botTexts(h, c.chatId).at(-1)).toBe(SENT_PRIVATELY('log'));
    expect(lastPrivateText(h, c.teacher)).toContain(
      'Анна Петрова: предупреждение, правило 2 (модератор: Мария Ивановна)',
    );
    // The suggestion is closed: its buttons are gone.
    const decided = h.api.messages(c.teacher.id).find((m) => m.message_id === suggestion?.message_id);
    expect(decided?.text).toBe('Предупреждение по правилу 2 записано (чат «7Б»).');
    expect(decided?.reply_markup?.inline_keyboard ?? []).toEqual([]);
  });

  it('«Удалить» deletes the message', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    const offending = h.api.sendMessage(c.chatId, anna, 'Пиздец, опять контрольная');
    await h.settle();
    const answer = await press(h, c, suggestions(h, c.teacher)[0], 'Удалить');
    expect(answer).toBe('Сообщение удалено (чат «7Б»).');
    expect(h.api.messages(c.chatId).find((m) => m.message_id === offending.message_id)?.deleted).toBe(true);
  });

  it('«Не нарушение» stops the same pattern being flagged in that chat; other words still are', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna, boris] = c.parents as [User, User];
    h.api.sendMessage(c.chatId, anna, 'Ты лох');
    await h.settle();
    expect(await press(h, c, suggestions(h, c.teacher)[0], 'Не нарушение')).toBe(
      'Понятно: в чате «7Б» это больше не отмечаю.',
    );
    h.api.sendMessage(c.chatId, boris, 'Сам лох');
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(0);
    h.api.sendMessage(c.chatId, boris, 'Ты дебил');
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(1);
  });

  it('«Не нарушение» for shouting spares that member for a day only', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna, boris] = c.parents as [User, User];
    h.api.sendMessage(c.chatId, anna, 'КТО ЗАБРАЛ МОЮ КУРТКУ ИЗ РАЗДЕВАЛКИ');
    await h.settle();
    expect(await press(h, c, suggestions(h, c.teacher)[0], 'Не нарушение')).toBe(
      'Понятно: этого участника в чате «7Б» сутки не отмечаю за это.',
    );
    h.api.sendMessage(c.chatId, anna, 'ЗАВТРА ВСЕ ИДЁМ В МУЗЕЙ ПОСЛЕ УРОКОВ');
    h.api.sendMessage(c.chatId, boris, 'НЕ КРИЧИТЕ ПОЖАЛУЙСТА В ЧАТЕ');
    await h.settle();
    expect(suggestions(h, c.teacher).map((m) => m.text?.includes('Борис'))).toEqual([true]);
    await h.advance(25 * HOUR);
    h.api.sendMessage(c.chatId, anna, 'ОПЯТЬ ВСЕ ПИШУТ ЗАГЛАВНЫМИ БУКВАМИ');
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(2);
  });

  it('sends at most 3 suggestions a minute per chat, then one summary', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    for (const word of ['дурак', 'идиот', 'дебил', 'урод', 'чмо', 'лох']) {
      h.api.sendMessage(c.chatId, anna, `Ты ${word}`);
    }
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(3);
    const summaries = botTexts(h, c.teacher.id).filter((text) => text.includes('за минуту отмечено много'));
    expect(summaries).toHaveLength(1);
  });

  it('flags the chat’s own words and cites the rule a moderator chose', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    h.api.sendMessage(c.chatId, c.teacher, '/settings flag_words гдз, списать');
    h.api.sendMessage(c.chatId, c.teacher, '/settings flag_rule own_words 3');
    await h.settle();
    expect(botTexts(h, c.chatId).slice(-2)).toEqual([
      'Слова чата для отметки: гдз, списать.',
      'Сигнал own_words теперь указывает на правило 3.',
    ]);
    h.api.sendMessage(c.chatId, anna, 'Кто даст списать алгебру?');
    await h.settle();
    const [suggestion] = suggestions(h, c.teacher);
    expect(suggestion?.text).toContain('слово из списка чата');
    expect(buttons(suggestion)[0]?.text).toBe('Предупреждение по правилу 3');
  });

  it('/settings own_links: the school’s own chat link is not advertising there; another chat’s invitation still is', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    h.api.sendMessage(
      c.chatId,
      c.teacher,
      '/settings own_links https://school123.ru, t.me/joinchat/OurSchool7b',
    );
    await h.settle();
    expect(botTexts(h, c.chatId).at(-1)).toBe(
      'Ссылки школы, которые не отмечаются как реклама: school123.ru, t.me/joinchat/ourschool7b.',
    );
    h.api.sendMessage(
      c.chatId,
      anna,
      'Для новеньких: чат класса t.me/joinchat/OurSchool7b, сайт school123.ru/news',
    );
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(0);
    h.api.sendMessage(c.chatId, anna, 'А ещё вступайте сюда: t.me/joinchat/OtherChat');
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(1);
    expect(suggestions(h, c.teacher)[0]?.text).toContain('реклама или спам');
    // Bad input: a clear answer, nothing changed.
    h.api.sendMessage(c.chatId, c.teacher, '/settings own_links школа');
    await h.settle();
    expect(botTexts(h, c.chatId).at(-1)).toContain('Укажите ссылки или адреса сайтов школы через запятую');
  });

  it('/settings flood sets the chat’s threshold: 3 messages within a minute are flagged there', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna, boris] = c.parents as [User, User];
    for (let i = 0; i < 5; i += 1) h.api.sendMessage(c.chatId, boris, `Вопрос про экскурсию номер ${i + 1}`);
    await h.settle();
    expect(suggestions(h, c.teacher)).toHaveLength(0);
    h.api.sendMessage(c.chatId, c.teacher, '/settings flood 3/60');
    await h.settle();
    expect(botTexts(h, c.chatId).at(-1)).toBe(
      'Настройка «Флуд (сообщения одного участника)» изменена: 3 сообщения за 60 с.',
    );
    for (let i = 0; i < 3; i += 1) h.api.sendMessage(c.chatId, anna, `Когда собрание? ${i + 1}`);
    await h.settle();
    const flagged = suggestions(h, c.teacher);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.text).toContain('флуд (много сообщений подряд)');
    h.api.sendMessage(c.chatId, c.teacher, '/settings flood 2/60');
    await h.settle();
    expect(botTexts(h, c.chatId).at(-1)).toContain('от 3 до 100 сообщений за 10–3600 с');
  });

  it('erases a suggestion’s excerpt after 48 hours', async () => {
    h = await Harness.start();
    const c = await chatWithTeacher(h);
    const [anna] = c.parents as [User];
    h.api.sendMessage(c.chatId, anna, 'Ты дурак');
    await h.settle();
    await h.advance(48 * HOUR + MINUTE);
    await h.app.jobs.run('expire-flag-suggestions');
    await h.settle();
    const answer = await press(h, c, suggestions(h, c.teacher)[0], 'Удалить');
    expect(answer).toBe('По этому сообщению уже решили.');
  });
});
