import type { User } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/lib/clock.js';
import { Harness } from '../support/harness.js';

describe('4.13.1 registered chats: a chat on the fake Bot API, its moderators (4.13.2) and rules (4.13.4)', () => {
  let h: Harness;
  let teacher: User;
  let parent: User;
  let chatId: number;

  beforeAll(async () => {
    h = await Harness.start();
    teacher = h.api.createUser({ first_name: 'Мария', last_name: 'Ивановна', language_code: 'ru' });
    parent = h.api.createUser({ first_name: 'Пётр', last_name: 'Смирнов' });
    const chat = h.api.createChat({ type: 'supergroup', title: '7Б — родители' });
    chatId = chat.id;
    h.api.addMember(chatId, teacher, { status: 'creator' });
    h.api.addMember(chatId, parent, { by: teacher });
    await h.settle();
  });

  afterAll(async () => {
    await h?.stop();
  });

  const texts = () => h.api.botMessages(chatId).map((message) => message.text);

  it('registers the chat when added and says which rights are missing', async () => {
    h.api.addBot(chatId, { by: teacher, status: 'member' });
    await h.settle();
    const hello = texts().at(-1) ?? '';
    expect(hello).toContain('Здравствуйте');
    expect(hello).toContain('«Блокировка участников»');
    expect(hello).toContain('«Удаление сообщений»');
    expect(hello).toContain('«Пригласительные ссылки»');
  });

  it('names only what is still missing when rights change, and thanks when all are given', async () => {
    h.api.setBotRights(
      chatId,
      { can_restrict_members: true, can_delete_messages: false, can_invite_users: true },
      teacher,
    );
    await h.settle();
    const partial = texts().at(-1) ?? '';
    expect(partial).toContain('«Удаление сообщений»');
    expect(partial).not.toContain('«Блокировка участников»');
    h.api.setBotRights(
      chatId,
      { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
      teacher,
    );
    await h.settle();
    expect(texts().at(-1)).toBe('Спасибо, все нужные права у меня есть.');
  });

  it("answers a member's /rules with the numbered default rules", async () => {
    const asked = h.api.sendMessage(chatId, parent, '/rules');
    await h.settle();
    const reply = h.api.lastBotMessage(chatId);
    expect(reply?.reply_to_message_id).toBe(asked.message_id);
    expect(reply?.text).toContain('Правила чата «7Б — родители»:');
    expect(reply?.text).toMatch(/^1\. Общаемся вежливо/m);
    // No default rule repeats a number the settings can change: the footer says them.
    expect(reply?.text).not.toMatch(/больше трёх раз|одного месяца/);
    expect(reply?.text).toContain('За 4-е нарушение — блокировка на 7 дней');
  });

  it("refuses a member's /setrules and changes nothing", async () => {
    h.api.sendMessage(chatId, parent, '/setrules\nДелаем что хотим');
    await h.settle();
    expect(texts().at(-1)).toBe('Эта команда доступна только модераторам чата.');
    h.api.sendMessage(chatId, parent, '/rules');
    await h.settle();
    expect(texts().at(-1)).toContain('1. Общаемся вежливо');
    expect(texts().at(-1)).not.toContain('Делаем что хотим');
  });

  it("takes the teacher's /setrules and shows the new rules to everyone", async () => {
    h.api.sendMessage(
      chatId,
      teacher,
      '/setrules\n1. Пишем только по делу\n2. Без рекламы\n3. Уважаем друг друга',
    );
    await h.settle();
    expect(texts().at(-1)).toContain('Правила обновлены (редакция 2)');
    h.api.sendMessage(chatId, parent, '/rules');
    await h.settle();
    expect(texts().at(-1)).toContain('1. Пишем только по делу\n2. Без рекламы\n3. Уважаем друг друга');
  });

  it('keeps the rules across a restart', async () => {
    await h.restart();
    h.api.sendMessage(chatId, parent, '/rules');
    await h.settle();
    expect(texts().at(-1)).toContain('1. Пишем только по делу\n2. Без рекламы\n3. Уважаем друг друга');
  });

  it('4.13.2, 4.13.7: refuses an anonymous administrator’s moderator command and says how to act openly', async () => {
    h.api.sendMessage(chatId, { senderChat: chatId }, '/settings strike_limit 5');
    await h.settle();
    expect(texts().at(-1)).toBe(
      'Анонимный администратор не может модерировать: по положению (п. 4.13.7) должно быть видно, кто принимает меры. Выключите «Анонимность» в своих правах администратора и повторите команду.',
    );
  });

  it('shows /help by role: members see member commands, moderators also theirs', async () => {
    h.api.sendMessage(chatId, parent, '/help');
    await h.settle();
    const memberHelp = texts().at(-1) ?? '';
    expect(memberHelp).toContain('/rules');
    expect(memberHelp).not.toContain('/setrules');
    expect(memberHelp).not.toContain('Команды модератора');
    h.api.sendMessage(chatId, teacher, '/help');
    await h.settle();
    const moderatorHelp = texts().at(-1) ?? '';
    expect(moderatorHelp).toContain('Команды модератора:');
    expect(moderatorHelp).toContain('/setrules');
    expect(moderatorHelp).toContain('/settings');
  });

  it('validates /settings changes and refuses bad keys and values without changing anything', async () => {
    const cases: Array<[string, string]> = [
      [
        '/settings strike_limit 2',
        'Допустимое число предупреждений — целое число от 3 до 10: по положению (п. 4.13.5) блокировать можно только за нарушение правил более трёх раз.',
      ],
      [
        '/settings block_mode kick',
        'Для настройки «Вид блокировки» допустимы значения: mute (только чтение), ban (удаление из чата на срок блокировки).',
      ],
      ['/settings colour red', 'Настройки «colour» нет. Доступные: strike_limit'],
      ['/settings vote_hours', 'Укажите значение: /settings vote_hours <значение>.'],
    ];
    for (const [command, answer] of cases) {
      h.api.sendMessage(chatId, teacher, command);
      await h.settle();
      expect(texts().at(-1)).toContain(answer);
    }
    h.api.sendMessage(chatId, parent, '/settings strike_limit 5');
    await h.settle();
    expect(texts().at(-1)).toBe('Эта команда доступна только модераторам чата.');
    // Shown settings go to the moderator privately; the group reads where the answer went.
    h.api.sendMessage(chatId, teacher, '/settings');
    await h.settle();
    expect(texts().at(-1)).toBe(
      'Ответ на /settings бот присылает только в личные сообщения. Откройте личный чат с ботом: https://t.me/class_moderator_bot?start=answers — и повторите команду.',
    );
    h.api.privateMessage(teacher, '/start answers');
    await h.settle();
    expect(h.api.lastBotMessage(teacher.id)?.text).toBe(
      'Готово: ответы на команды модератора будут приходить сюда. Повторите команду в чате.',
    );
    h.api.sendMessage(chatId, teacher, '/settings');
    await h.settle();
    expect(texts().at(-1)).toBe('Ответ на /settings отправлен в личные сообщения.');
    const shown = h.api.lastBotMessage(teacher.id)?.text ?? '';
    // In words, with the code to type in brackets.
    expect(shown).toContain('Допустимо предупреждений: 3, блокировка — за 4-е нарушение (strike_limit)');
    expect(shown).toContain('Вид блокировки: только чтение (block_mode)');
    expect(shown).toContain('Срок блокировки: 7 дней (block_days)');
    expect(shown).not.toContain('= mute');

    h.api.sendMessage(chatId, teacher, '/settings strike_limit 4');
    await h.settle();
    expect(texts().at(-1)).toBe(
      'Настройка «Допустимо предупреждений» изменена: 4, блокировка — за 5-е нарушение.',
    );
    h.api.sendMessage(chatId, parent, '/rules');
    await h.settle();
    expect(texts().at(-1)).toContain('За 5-е нарушение — блокировка на 7 дней');
  });

  it('switches the chat to English with /settings language en', async () => {
    h.api.sendMessage(chatId, teacher, '/settings language en');
    await h.settle();
    expect(texts().at(-1)).toBe("Setting “The bot's language in this chat” is now: English.");
    h.api.sendMessage(chatId, parent, '/setrules x');
    await h.settle();
    expect(texts().at(-1)).toBe("Only the chat's moderators can use this command.");
    h.api.sendMessage(chatId, teacher, '/settings language ru');
    await h.settle();
  });

  it('recognises a teacher promoted after the bot joined as a moderator', async () => {
    h.api.promote(chatId, parent, { can_restrict_members: true, can_delete_messages: true }, teacher);
    h.api.sendMessage(chatId, parent, '/settings');
    await h.settle();
    // Answered as a moderator: the settings are only ever sent privately.
    expect(texts().at(-1)).toMatch(/^Ответ на \/settings бот присылает только в личные сообщения\./);
    h.api.demote(chatId, parent, teacher);
    // A member's refusals are answered twice a minute at most: this one comes after a minute.
    h.clock.advance(MINUTE);
    h.api.sendMessage(chatId, parent, '/settings');
    await h.settle();
    expect(texts().at(-1)).toBe('Эта команда доступна только модераторам чата.');
  });

  it('registered the command menus for members, moderators and private chats in ru and en', () => {
    const members = h.api.commands({ type: 'all_group_chats' }, 'ru').map((c) => c.command);
    const moderators = h.api.commands({ type: 'all_chat_administrators' }, 'en').map((c) => c.command);
    const privateChats = h.api.commands({ type: 'all_private_chats' }, 'ru').map((c) => c.command);
    expect(members).toEqual(expect.arrayContaining(['help', 'rules']));
    expect(members).not.toContain('setrules');
    expect(moderators).toEqual(expect.arrayContaining(['help', 'rules', 'setrules', 'settings']));
    expect(privateChats).toEqual(expect.arrayContaining(['start', 'help']));
  });

  it('answers /start in a private chat', async () => {
    h.api.privateMessage(parent, '/start');
    await h.settle();
    expect(h.api.lastBotMessage(parent.id)?.text).toContain('бот-модератор школьных чатов');
  });
});

describe('4.13.1 registered chats: the bot introduces itself even when updates arrive out of order', () => {
  it('introduces itself when its own update comes after a message from the chat', async () => {
    const h = await Harness.start();
    try {
      const teacher = h.api.createUser({ first_name: 'Ольга', last_name: 'Петровна' });
      const chat = h.api.createChat({ type: 'supergroup', title: '3А' });
      h.api.addMember(chat.id, teacher, { status: 'creator' });
      // With webhook deliveries in parallel (or two replicas), a member's message can be handled before
      // the update that the bot was added.
      await h.app.dispatcher.handle({
        kind: 'message',
        updateKey: 'telegram:early-message',
        at: new Date(),
        chat: { platform: 'telegram', platformChatId: String(chat.id), type: 'supergroup', title: '3А' },
        sender: { kind: 'user', user: { userId: String(teacher.id), firstName: 'Ольга', isBot: false } },
        messageId: '1',
        text: 'Добрый вечер',
      });
      h.api.addBot(chat.id, {
        by: teacher,
        status: 'administrator',
        rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
      });
      await h.settle();
      const texts = h.api.botMessages(chat.id).map((message) => message.text);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain('Здравствуйте! Я помогаю модератору следить');
      expect(texts[0]).not.toContain('Спасибо');
    } finally {
      await h.stop();
    }
  });
});
