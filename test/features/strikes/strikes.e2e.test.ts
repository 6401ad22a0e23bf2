import { and, eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog, blocks, strikes } from '../../../src/db/schema.js';
import { DAY, MINUTE } from '../../../src/lib/clock.js';
import { testDbKind } from '../../support/db.js';
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

const MUTED_KEYS = [
  'can_send_messages',
  'can_send_audios',
  'can_send_documents',
  'can_send_photos',
  'can_send_videos',
  'can_send_video_notes',
  'can_send_voice_notes',
  'can_send_polls',
  'can_send_other_messages',
  'can_add_web_page_previews',
];

/** The member posts something and the moderator answers it with `/strike <rule> [reason]`. */
/** Four strikes (the chat's limit is 3): the last two cite `rule` and `last`; the fourth blocks. */
async function blockBy4(h: Harness, c: ClassChat, member: User, rule: number, last: number) {
  await strike(h, c, member, rule);
  await strike(h, c, member, rule);
  await strike(h, c, member, rule);
  return strike(h, c, member, last);
}

async function strike(
  h: Harness,
  c: ClassChat,
  member: User,
  rule: string | number,
  reason = '',
  by = c.teacher,
) {
  const offending = h.api.sendMessage(c.chatId, member, `Сообщение не по правилам ${Math.random()}`);
  h.api.sendMessage(c.chatId, by, `/strike ${rule} ${reason}`.trim(), { replyTo: offending.message_id });
  await h.settle();
  return offending;
}

function unmuteCalls(h: Harness, user: User) {
  return h.api
    .callsTo('restrictChatMember')
    .filter(
      (call) =>
        call.ok &&
        call.params.user_id === user.id &&
        (call.params.permissions as Record<string, boolean>).can_send_messages === true,
    );
}

describe('4.13.5 strikes and blocks: strikes, blocks up to a month and scheduled unblocks; refusals and the audit log (4.13.7)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('refuses every malformed or forbidden /strike with its reason and records nothing', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    const otherBot = h.api.createUser({ first_name: 'Погода', is_bot: true, username: 'weather_bot' });
    h.api.addMember(c.chatId, otherBot, { by: c.teacher });
    const deputy = h.api.createUser({ first_name: 'Олег', last_name: 'Завуч' });
    h.api.addMember(c.chatId, deputy, { by: c.teacher });
    h.api.promote(c.chatId, deputy, { can_restrict_members: true, can_delete_messages: true }, c.teacher);
    await h.settle();
    const annaMessage = h.api.sendMessage(c.chatId, anna, 'Купите наши пироги!');
    const teacherMessage = h.api.sendMessage(c.chatId, c.teacher, 'Собрание в пятницу');
    const anonymousMessage = h.api.sendMessage(c.chatId, { senderChat: c.chatId }, 'Объявление');
    const botMessage = h.api.lastBotMessage(c.chatId);
    const otherBotMessage = h.api.sendMessage(c.chatId, otherBot, 'Сегодня +5');
    await h.settle();

    const cases: Array<[User, string, number | undefined, string]> = [
      [boris, '/strike 2', annaMessage.message_id, 'Эта команда доступна только модераторам чата'],
      [c.teacher, '/strike 2', undefined, 'Ответьте командой /strike на сообщение с нарушением'],
      [c.teacher, '/strike', annaMessage.message_id, 'Укажите номер нарушенного правила'],
      [c.teacher, '/strike реклама', annaMessage.message_id, 'Укажите номер нарушенного правила'],
      [c.teacher, '/strike 9 реклама', annaMessage.message_id, 'В правилах этого чата нет пункта 9'],
      [deputy, '/strike 1', teacherMessage.message_id, 'Модераторам чата предупреждения не выносятся'],
      [c.teacher, '/strike 1', anonymousMessage.message_id, 'отправлено от имени чата или канала'],
      [c.teacher, '/strike 1', botMessage?.message_id, 'Себе я предупреждение вынести не могу'],
      [c.teacher, '/strike 1', otherBotMessage.message_id, 'Ботам предупреждения не выносятся'],
    ];
    for (const [who, text, replyTo, expected] of cases) {
      h.api.sendMessage(c.chatId, who, text, replyTo ? { replyTo } : {});
      await h.settle();
      expect(lastBotText(h, c.chatId)).toContain(expected);
    }
    h.api.privateMessage(c.teacher, '/strike 1');
    await h.settle();
    expect(h.api.lastBotMessage(c.teacher.id)?.text).toBe('Эта команда работает в общем чате.');

    const db = h.db.database.db;
    expect(await db.select().from(strikes)).toHaveLength(0);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, 'strike'))).toHaveLength(0);
  });

  it('counts strikes with correct wording, blocks on the fourth until the right date, and lifts on time', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna] = c.parents as [User];
    const first = await strike(h, c, anna, 2, 'реклама пирогов');
    // A short reply to the offending message: the rule and the count; the reason stays out of the chat.
    expect(lastBotText(h, c.chatId)).toBe('Предупреждение 1 из 3 — правило 2: Без рекламы.');
    expect(h.api.lastBotMessage(c.chatId)?.reply_to_message_id).toBe(first.message_id);
    await strike(h, c, anna, 'п.1');
    expect(lastBotText(h, c.chatId)).toContain('Предупреждение 2 из 3 — правило 1: Общаемся вежливо.');
    await strike(h, c, anna, 3);
    expect(lastBotText(h, c.chatId)).toContain('Предупреждение 3 из 3');
    expect(lastBotText(h, c.chatId)).toContain('Следующее нарушение — блокировка на 7 дней.');
    expect(h.api.member(c.chatId, anna).status).toBe('member');

    const blockedAt = h.clock.now();
    await strike(h, c, anna, 2);
    const member = h.api.member(c.chatId, anna);
    expect(member.status).toBe('restricted');
    for (const key of MUTED_KEYS)
      expect(member.permissions?.[key as keyof typeof member.permissions]).toBe(false);
    const expectedUntil = Math.floor((blockedAt.getTime() + 7 * DAY) / 1000);
    expect(Math.abs((member.until_date ?? 0) - expectedUntil)).toBeLessThanOrEqual(2);
    const announcement = lastBotText(h, c.chatId);
    expect(announcement).toContain('Анна Петрова: 4-е нарушение, блокировка до');
    expect(announcement).toContain('только чтение');
    expect(announcement).toContain('Нарушены правила: 1, 2, 3.');
    const localEnd = new Intl.DateTimeFormat('ru-RU', {
      timeZone: 'Europe/Moscow',
      day: 'numeric',
      month: 'long',
    }).format(new Date(blockedAt.getTime() + 7 * DAY));
    expect(announcement).toContain(localEnd);
    expect(() => h!.api.sendMessage(c.chatId, anna, 'Можно написать?')).toThrow();

    // One day before the end nothing happens; past the end the job restores the chat's defaults.
    await h.advance(6 * DAY);
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(unmuteCalls(h, anna)).toHaveLength(0);
    await h.advance(DAY + MINUTE);
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    const unmutes = unmuteCalls(h, anna);
    expect(unmutes).toHaveLength(1);
    expect(lastBotText(h, c.chatId)).toBe('Анна Петрова: срок блокировки истёк, можно снова писать в чат.');
    expect(h.api.member(c.chatId, anna).status).toBe('member');
    h.api.sendMessage(c.chatId, anna, 'Спасибо, больше не буду');

    // The strikes were consumed by the block: the next one starts a new count.
    await strike(h, c, anna, 4);
    expect(lastBotText(h, c.chatId)).toContain('Предупреждение 1 из 3');
    const [row] = await h.db.database.db.select().from(blocks);
    expect(row).toMatchObject({ status: 'lifted', liftReason: 'term' });
  });

  it('lifts a block after a restart, and catches up on blocks that fell due while the bot was down', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { block_days: '2' } });
    const [anna, boris] = c.parents as [User, User];
    await blockBy4(h, c, anna, 1, 1);
    await blockBy4(h, c, boris, 1, 1);
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
    expect(h.api.member(c.chatId, boris).status).toBe('restricted');
    await h.bot.stop();
    h.clock.advance(3 * DAY);
    await h.restart();
    await h.settle();
    // The start-up run of the job catches up without waiting for the next minute.
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(unmuteCalls(h, anna)).toHaveLength(1);
    expect(unmuteCalls(h, boris)).toHaveLength(1);
    expect(botTexts(h, c.chatId).filter((text) => text.includes('срок блокировки истёк'))).toHaveLength(2);
  });

  it('lifts a block in one call, so a lift goes through while reading the chat fails', async () => {
    h = await Harness.start();
    // The chat's own permissions forbid polls: the lifted member follows them, and writes again.
    const c = await classChat(h, { settings: { block_days: '1' }, permissions: { can_send_polls: false } });
    const [anna] = c.parents as [User];
    await blockBy4(h, c, anna, 1, 1);
    h.clock.advance(DAY + MINUTE);
    // Before: an unmute read the chat first (getChat), and a lift needed both calls to succeed.
    h.api.fail('getChat', { status: 502 }, { times: 20 });
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(unmuteCalls(h, anna)).toHaveLength(1);
    expect(h.api.member(c.chatId, anna).status).toBe('member');
    expect(lastBotText(h, c.chatId)).toBe('Анна Петрова: срок блокировки истёк, можно снова писать в чат.');
    h.api.sendMessage(c.chatId, anna, 'Спасибо, больше не буду');
    expect(h.api.member(c.chatId, anna).status).toBe('member');
    expect(h.api.chat(c.chatId).permissions?.can_send_polls).toBe(false);
  });

  it('keeps a block due when the platform refuses to lift it, tells the chat once, and lifts on a later run', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { block_days: '1' } });
    const [anna] = c.parents as [User];
    await blockBy4(h, c, anna, 1, 1);
    h.clock.advance(DAY + MINUTE);

    // Passing trouble (5xx): the outbox retries, and the block is lifted by that same run.
    h.api.fail('restrictChatMember', { status: 502 }, { times: 2 });
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(unmuteCalls(h, anna)).toHaveLength(1);
    expect(h.api.callsTo('restrictChatMember').filter((call) => !call.ok)).toHaveLength(2);

    // A refusal (rights taken away): the block stays, the chat is told once, and a later run lifts it.
    await blockBy4(h, c, anna, 1, 1);
    h.clock.advance(DAY + MINUTE);
    const refusal = {
      status: 400 as const,
      description: 'Bad Request: not enough rights to restrict/unrestrict chat member',
    };
    h.api.fail('restrictChatMember', refusal, { times: 2 });
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    const db = h.db.database.db;
    const live = await db.select().from(blocks).where(eq(blocks.status, 'active'));
    expect(live).toHaveLength(1);
    expect(lastBotText(h, c.chatId)).toBe(
      'Анна Петрова: снять блокировку не удаётся — у меня нет права блокировать участников. Я попробую ещё раз.',
    );
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(botTexts(h, c.chatId).filter((text) => text.includes('снять блокировку не удаётся'))).toHaveLength(
      1,
    );
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(unmuteCalls(h, anna)).toHaveLength(2);
    expect(await db.select().from(blocks).where(eq(blocks.status, 'lifted'))).toHaveLength(2);
    expect(lastBotText(h, c.chatId)).toBe('Анна Петрова: срок блокировки истёк, можно снова писать в чат.');
  });

  it('restricts a blocked member again when they leave and rejoin during the term', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: {} });
    const [anna] = c.parents as [User];
    await blockBy4(h, c, anna, 1, 1);
    const until = h.api.member(c.chatId, anna).until_date;
    h.api.removeMember(c.chatId, anna);
    await h.settle();
    h.api.addMember(c.chatId, anna, { by: c.teacher });
    await h.settle();
    const member = h.api.member(c.chatId, anna);
    expect(member.status).toBe('restricted');
    expect(Math.abs((member.until_date ?? 0) - (until ?? 0))).toBeLessThanOrEqual(2);
    expect(() => h!.api.sendMessage(c.chatId, anna, 'Я вернулась')).toThrow();
  });

  it('bans in ban mode and lifts the ban with only_if_banned', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { block_mode: 'ban', block_days: '3' } });
    const [anna] = c.parents as [User];
    await blockBy4(h, c, anna, 1, 2);
    expect(h.api.member(c.chatId, anna).status).toBe('kicked');
    expect(lastBotText(h, c.chatId)).toContain('удаление из чата на срок блокировки');
    await h.advance(3 * DAY + MINUTE);
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    const unbans = h.api.callsTo('unbanChatMember').filter((call) => call.ok);
    expect(unbans).toHaveLength(1);
    expect(unbans[0]?.params).toMatchObject({ user_id: anna.id, only_if_banned: true });
    expect(lastBotText(h, c.chatId)).toBe(
      'Анна Петрова: срок блокировки истёк, вернуться в чат можно по приглашению.',
    );
  });

  it('refuses a strike against a member who is already blocked', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: {} });
    const [anna] = c.parents as [User];
    await blockBy4(h, c, anna, 1, 1);
    const before = await h.db.database.db.select().from(strikes);
    const old = h.api.messages(c.chatId).find((message) => message.from.id === anna.id && !message.service);
    h.api.sendMessage(c.chatId, c.teacher, '/strike 2', { replyTo: old?.message_id ?? 0 });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toMatch(/^Анна Петрова: блокировка уже действует до /);
    expect(await h.db.database.db.select().from(strikes)).toHaveLength(before.length);
  });

  it('lets strikes expire after strike_days', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { strike_days: '30' } });
    const [anna] = c.parents as [User];
    await strike(h, c, anna, 1);
    await strike(h, c, anna, 1);
    await h.advance(31 * DAY);
    await strike(h, c, anna, 1);
    expect(lastBotText(h, c.chatId)).toContain('Предупреждение 1 из 3');
  });

  it('/unstrike revokes the latest strike and lifts the block it caused, as a correction', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna] = c.parents as [User];
    await strike(h, c, anna, 1);
    await strike(h, c, anna, 2);
    await strike(h, c, anna, 2);
    const last = await strike(h, c, anna, 3);
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
    h.api.sendMessage(c.chatId, c.teacher, '/unstrike', { replyTo: last.message_id });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toContain(
      'Ответьте на сообщение участника командой /unstrike и укажите причину',
    );
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
    h.api.sendMessage(c.chatId, c.teacher, '/unstrike правило 3 здесь ни при чём', {
      replyTo: last.message_id,
    });
    await h.settle();
    const texts = botTexts(h, c.chatId).slice(-2);
    expect(texts[0]).toContain('Исправление. Анна Петрова: последнее предупреждение (правило 3,');
    expect(texts.join('\n')).not.toContain('ни при чём');
    const [revoked] = await h.db.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'strike_revoked'));
    expect(revoked?.reason).toBe('правило 3 здесь ни при чём');
    expect(texts[0]).toContain('Действующих предупреждений: 3 из 3 допустимых.');
    expect(texts[1]).toBe(
      'Анна Петрова: блокировка снята, потому что предупреждение отозвано как ошибочное. Действующих предупреждений: 3 из 3 допустимых.',
    );
    expect(unmuteCalls(h, anna)).toHaveLength(1);
    // The three remaining strikes count again: the next one blocks.
    await strike(h, c, anna, 4);
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
    const rows = await h.db.database.db.select().from(blocks).where(eq(blocks.liftReason, 'correction'));
    expect(rows).toHaveLength(1);

    const boris = c.parents[1] as User;
    const borisMessage = h.api.sendMessage(c.chatId, boris, 'Привет');
    h.api.sendMessage(c.chatId, c.teacher, '/unstrike ошибка', { replyTo: borisMessage.message_id });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe('Борис Смирнов: действующих предупреждений нет.');
    h.api.sendMessage(c.chatId, boris, '/unstrike', { replyTo: borisMessage.message_id });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toContain('только модераторам');
  });

  it('/strikes shows a member their own strikes (privately when possible) and a moderator everyone’s', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    await strike(h, c, anna, 2, 'реклама');
    await strike(h, c, anna, 4);
    await strike(h, c, boris, 1);

    h.api.sendMessage(c.chatId, anna, '/strikes');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe(
      'Анна Петрова, у вас в этом чате 2 предупреждения (допустимо 3). Чтобы получать подробности в личных сообщениях, напишите мне /start.',
    );
    h.api.privateMessage(anna, '/start');
    await h.settle();
    h.api.sendMessage(c.chatId, anna, '/strikes');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe('Ответ — в личных сообщениях.');
    const own = h.api.lastBotMessage(anna.id)?.text ?? '';
    expect(own).toContain('Чат «7Б»: у вас 2 предупреждения (допустимо 3).');
    expect(own).toMatch(/1\. .+, правило 4: Не публикуем чужие фото\. Модератор: Мария Ивановна\./);
    expect(own).toMatch(/2\. .+, правило 2: Без рекламы\. Модератор: Мария Ивановна\. Причина: реклама\./);

    // A moderator's lists go privately; the group reads only where the answer went.
    await openPrivateChat(h, c.teacher);
    h.api.sendMessage(c.chatId, c.teacher, '/strikes');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe(SENT_PRIVATELY('strikes'));
    expect(lastPrivateText(h, c.teacher)).toBe(
      'Чат «7Б»:\nУчастники с действующими предупреждениями:\nАнна Петрова — 2 предупреждения\nБорис Смирнов — 1 предупреждение',
    );
    const borisMessage = h.api.sendMessage(c.chatId, boris, 'ок');
    h.api.sendMessage(c.chatId, c.teacher, '/strikes', { replyTo: borisMessage.message_id });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe(SENT_PRIVATELY('strikes'));
    expect(lastPrivateText(h, c.teacher)).toMatch(
      /^Чат «7Б»:\nБорис Смирнов: 1 предупреждение \(допустимо 3\)\.\n1\. /,
    );
  });

  it('/del removes the message and the command; /log shows what happened and why', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna] = c.parents as [User];
    const spam = h.api.sendMessage(c.chatId, anna, 'Скидки на шубы!');
    const command = h.api.sendMessage(c.chatId, c.teacher, '/del', { replyTo: spam.message_id });
    await h.settle();
    const messages = h.api.messages(c.chatId);
    expect(messages.find((m) => m.message_id === spam.message_id)?.deleted).toBe(true);
    expect(messages.find((m) => m.message_id === command.message_id)?.deleted).toBe(true);
    await strike(h, c, anna, 2);
    h.api.sendMessage(c.chatId, anna, '/del');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toContain('только модераторам');

    await openPrivateChat(h, c.teacher);
    h.api.sendMessage(c.chatId, c.teacher, '/log 5');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe(SENT_PRIVATELY('log'));
    const log = lastPrivateText(h, c.teacher).split('\n');
    expect(log[0]).toBe('Чат «7Б»:');
    expect(log[1]).toBe('Последние действия модерации:');
    expect(log[2]).toMatch(/— Анна Петрова: предупреждение, правило 2 \(модератор: Мария Ивановна\)$/);
    expect(log[3]).toMatch(/— Анна Петрова: сообщение удалено \(модератор: Мария Ивановна\)$/);
    expect(log[4]).toMatch(/— Мария Ивановна: новая редакция правил \(2\)$/);
    h.api.sendMessage(c.chatId, c.teacher, '/log сто');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toContain('число от 1 до 50');
  });

  it('/report tells the moderators privately with a link, hides the reporter, and slows down a flood', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    const rude = h.api.sendMessage(c.chatId, anna, 'Грубость');
    h.api.sendMessage(c.chatId, boris, '/report оскорбление', { replyTo: rude.message_id });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toContain('Жалоба записана, но передать её модераторам я не могу');

    h.api.privateMessage(c.teacher, '/start');
    await h.settle();
    const command = h.api.sendMessage(c.chatId, boris, '/report', { replyTo: rude.message_id });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe('Спасибо, жалоба передана модераторам.');
    expect(h.api.messages(c.chatId).find((m) => m.message_id === command.message_id)?.deleted).toBe(true);
    const note = h.api.lastBotMessage(c.teacher.id)?.text ?? '';
    expect(note).toContain(
      'Чат «7Б»: жалоба на сообщение.\nАвтор сообщения: Анна Петрова\nАвтор жалобы: Борис Смирнов\n«Грубость»',
    );
    expect(note).toContain(`https://t.me/c/${String(c.chatId).slice(4)}/${rude.message_id}`);

    // Refusals of /report never show who reported: the command goes, and nothing is said in the group.
    const deleted = (message: { message_id: number }) =>
      h?.api.messages(c.chatId).find((m) => m.message_id === message.message_id)?.deleted;
    const teacherMessage = h.api.sendMessage(c.chatId, c.teacher, 'Родительское собрание');
    const atModerator = h.api.sendMessage(c.chatId, boris, '/report', { replyTo: teacherMessage.message_id });
    await h.settle();
    expect(deleted(atModerator)).toBe(true);
    expect(lastBotText(h, c.chatId)).toBe('Спасибо, жалоба передана модераторам.');
    h.api.sendMessage(c.chatId, boris, '/report', { replyTo: rude.message_id });
    await h.settle();
    const notes = h.api.botMessages(c.teacher.id).length;
    const flood = h.api.sendMessage(c.chatId, boris, '/report', { replyTo: rude.message_id });
    await h.settle();
    expect(deleted(flood)).toBe(true);
    expect(lastBotText(h, c.chatId)).toBe('Спасибо, жалоба передана модераторам.');
    expect(h.api.botMessages(c.teacher.id)).toHaveLength(notes);
    // With a private chat the reporter is told there why (a minute on: two refusals a minute are answered).
    h.api.privateMessage(boris, '/start');
    await h.settle();
    h.clock.advance(MINUTE);
    h.api.sendMessage(c.chatId, boris, '/report', { replyTo: rude.message_id });
    await h.settle();
    expect(h.api.lastBotMessage(boris.id)?.text).toBe(
      'Чат «7Б»: Вы уже отправили несколько жалоб за последние минуты. Пожалуйста, попробуйте позже.',
    );
    await h.advance(11 * MINUTE);
    h.api.sendMessage(c.chatId, boris, '/report', { replyTo: rude.message_id });
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe('Спасибо, жалоба передана модераторам.');
  });

  it.runIf(testDbKind() === 'postgres')(
    'two bot instances on one PostgreSQL lift each due block exactly once',
    async () => {
      h = await Harness.start();
      const c = await classChat(h, {
        settings: { block_days: '1' },
        parents: ['А А', 'Б Б', 'В В', 'Г Г', 'Д Д', 'Е Е'],
      });
      for (const parent of c.parents) {
        await blockBy4(h, c, parent, 1, 1);
      }
      const second = await Harness.start({
        api: h.api,
        clock: h.clock,
        db: { ...h.db, database: await h.db.openAnother() },
        receiveUpdates: false,
      });
      try {
        h.clock.advance(DAY + MINUTE);
        await Promise.all([h.app.jobs.run('lift-due-blocks'), second.app.jobs.run('lift-due-blocks')]);
        await Promise.all([h.settle(), second.settle()]);
        for (const parent of c.parents) expect(unmuteCalls(h, parent)).toHaveLength(1);
        expect(botTexts(h, c.chatId).filter((text) => text.includes('срок блокировки истёк'))).toHaveLength(
          c.parents.length,
        );
        const audit = await h.db.database.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.action, 'unblock'), eq(auditLog.reason, 'term')));
        expect(audit).toHaveLength(c.parents.length);
      } finally {
        await second.stop();
      }
    },
  );
});
