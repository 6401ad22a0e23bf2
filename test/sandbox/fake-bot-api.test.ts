import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegraf, Telegram, TelegramError } from 'telegraf';
import type { Update, User } from 'telegraf/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeBotApi,
  ScenarioError,
  type UpdateType,
  type WireUpdate,
} from '../../src/sandbox/telegram/index.js';

const START = new Date('2025-03-03T08:00:00Z');
const ALL_UPDATES: UpdateType[] = [
  'message',
  'callback_query',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
];
const DAY = 86400;

let now: Date;
let api: FakeBotApi;
let tg: Telegram;

/** Moves the fake's clock. */
function advance(seconds: number): void {
  now = new Date(now.getTime() + seconds * 1000);
}

function unix(): number {
  return Math.floor(now.getTime() / 1000);
}

/** The TelegramError a call rejects with. */
async function telegramError(call: Promise<unknown>): Promise<TelegramError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TelegramError)) throw new Error(`expected a TelegramError, got ${String(error)}`);
  return error;
}

/** A class chat: teacher owns it, the bot is an administrator with `rights`, one student is a member. */
function classChat(
  rights: Record<string, boolean> = {
    can_restrict_members: true,
    can_delete_messages: true,
    can_invite_users: true,
  },
  type: 'group' | 'supergroup' = 'supergroup',
) {
  const teacher = api.createUser({ first_name: 'Anna', last_name: 'Petrova', username: 'anna_t' });
  const student = api.createUser({ first_name: 'Ivan' });
  const chat = api.createChat({ type, title: '5B' });
  api.addMember(chat.id, teacher, { status: 'creator' });
  api.addBot(chat.id, { by: teacher, status: 'administrator', rights });
  api.addMember(chat.id, student, { by: teacher });
  return { chat, teacher, student };
}

/** Reads and confirms every pending update. */
async function drain(allowed?: UpdateType[]): Promise<Update[]> {
  const updates = await tg.getUpdates(0, 100, 0, allowed);
  const last = updates.at(-1);
  if (last) await tg.getUpdates(0, 1, last.update_id + 1, undefined);
  return updates;
}

beforeEach(async () => {
  now = START;
  api = new FakeBotApi({ clock: () => now, allowedUpdates: ALL_UPDATES });
  await api.start();
  tg = new Telegram(api.token, { apiRoot: api.apiRoot });
});

afterEach(async () => {
  await api.stop();
});

describe('transport', () => {
  it('answers getMe with the bot', async () => {
    const me = await tg.getMe();
    expect(me).toMatchObject({ id: api.bot.id, is_bot: true, username: 'class_moderator_bot' });
    expect(me.can_read_all_group_messages).toBe(true);
  });

  it('accepts form and query parameters, case-insensitive methods, and rejects bad tokens and methods', async () => {
    const { chat } = classChat();
    const form = new URLSearchParams({
      chat_id: String(chat.id),
      text: 'Hello',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] }),
    });
    const viaForm = await fetch(`${api.apiRoot}/bot${api.token}/SENDMESSAGE`, { method: 'POST', body: form });
    expect(await viaForm.json()).toMatchObject({ ok: true, result: { text: 'Hello', reply_markup: {} } });
    expect(api.callsTo('sendMessage')[0]?.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]],
    });

    const viaQuery = await fetch(`${api.apiRoot}/bot${api.token}/getChat?chat_id=${chat.id}`);
    expect(await viaQuery.json()).toMatchObject({ ok: true, result: { id: chat.id, type: 'supergroup' } });

    const unknownMethod = await fetch(`${api.apiRoot}/bot${api.token}/sendTelepathy`);
    expect(unknownMethod.status).toBe(404);
    expect(await unknownMethod.json()).toEqual({
      ok: false,
      error_code: 404,
      description: 'Not Found: method not found',
    });

    const wrongToken = await telegramError(new Telegram('999:wrong', { apiRoot: api.apiRoot }).getMe());
    expect(wrongToken.response).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('serves a polling Telegraf bot end to end', async () => {
    const { chat, student } = classChat();
    await drain();
    const bot = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
    bot.on('message', (ctx) => ctx.reply(`echo: ${'text' in ctx.message ? ctx.message.text : ''}`));
    const polling = bot.launch({ allowedUpdates: ALL_UPDATES });
    try {
      api.sendMessage(chat.id, student, 'hello');
      await until(() => api.botMessages(chat.id).length === 1);
      expect(api.lastBotMessage(chat.id)?.text).toBe('echo: hello');
    } finally {
      bot.stop();
      await polling;
    }
    expect(api.pendingUpdates()).toEqual([]);
  });

  it('resolves a pending long poll when stopped', async () => {
    const poll = tg.getUpdates(30, 100, 0, undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await api.stop();
    expect(await poll).toEqual([]);
    await api.start();
  });
});

describe('messages', () => {
  it('sends a message with an inline keyboard and a reply, dated by the clock', async () => {
    const { chat, student } = classChat();
    const question = api.sendMessage(chat.id, student, 'What are the rules?');
    const sent = await tg.sendMessage(chat.id, 'Vote:', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'vote:yes' }]] },
      reply_parameters: { message_id: question.message_id },
    });
    expect(sent).toMatchObject({
      message_id: question.message_id + 1,
      from: { id: api.bot.id, is_bot: true },
      chat: { id: chat.id, type: 'supergroup', title: '5B' },
      date: unix(),
      text: 'Vote:',
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'vote:yes' }]] },
      reply_to_message: { message_id: question.message_id, text: 'What are the rules?' },
    });
    expect(api.lastBotMessage(chat.id)).toMatchObject({
      message_id: sent.message_id,
      text: 'Vote:',
      deleted: false,
    });
    expect(api.botMessages(chat.id)).toHaveLength(1);
  });

  it('parses HTML like Telegram and reports its errors', async () => {
    const { chat } = classChat();
    const sent = await tg.sendMessage(chat.id, '  <b>Rules</b> &amp; order ', { parse_mode: 'HTML' });
    expect(sent.text).toBe('Rules & order');
    expect(sent.entities).toEqual([{ type: 'bold', offset: 0, length: 5 }]);
    const error = await telegramError(tg.sendMessage(chat.id, '<div>x</div>', { parse_mode: 'HTML' }));
    expect(error.description).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0',
    );
    const markdown = await telegramError(
      tg.sendMessage(chat.id, 'Rule 1. Be kind', { parse_mode: 'MarkdownV2' }),
    );
    expect(markdown.description).toBe(
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
  });

  it('refuses empty text, unknown chats, and users who never started the bot', async () => {
    const { chat, student } = classChat();
    expect((await telegramError(tg.sendMessage(chat.id, ''))).description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await telegramError(tg.sendMessage(-100999, 'hi'))).description).toBe(
      'Bad Request: chat not found',
    );
    const dm = await telegramError(tg.sendMessage(student.id, 'hi'));
    expect(dm.response).toMatchObject({
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    api.privateMessage(student, '/start');
    expect((await tg.sendMessage(student.id, 'Welcome')).chat).toMatchObject({
      id: student.id,
      type: 'private',
    });
  });

  it('marks commands with bot_command entities and posts for anonymous admins', async () => {
    const { chat, student } = classChat();
    const command = api.sendMessage(chat.id, student, '/rules@class_moderator_bot 3');
    expect('entities' in command && command.entities).toEqual([
      { type: 'bot_command', offset: 0, length: 26 },
    ]);
    const anonymous = api.sendMessage(chat.id, { senderChat: chat }, 'Meeting at 18:00');
    expect(anonymous).toMatchObject({
      from: { id: 1087968824, username: 'GroupAnonymousBot', is_bot: true },
      sender_chat: { id: chat.id },
    });
  });

  it('edits text (not modified is an error; omitting reply_markup removes the keyboard)', async () => {
    const { chat } = classChat();
    const keyboard = { inline_keyboard: [[{ text: 'Agree', callback_data: 'agree' }]] };
    const sent = await tg.sendMessage(chat.id, 'Rules v1', { reply_markup: keyboard });
    const same = await telegramError(
      tg.editMessageText(chat.id, sent.message_id, undefined, 'Rules v1', { reply_markup: keyboard }),
    );
    expect(same.description).toMatch(/^Bad Request: message is not modified: specified new message content/);
    advance(60);
    const edited = await tg.editMessageText(chat.id, sent.message_id, undefined, 'Rules v2');
    expect(edited).toMatchObject({ text: 'Rules v2', edit_date: unix() });
    expect(edited !== true && 'reply_markup' in edited).toBe(false);
    const recorded = api.lastBotMessage(chat.id);
    expect(recorded?.history.map((v) => v.text)).toEqual(['Rules v1', 'Rules v2']);
    const missing = await telegramError(tg.editMessageText(chat.id, 999, undefined, 'x'));
    expect(missing.description).toBe('Bad Request: message to edit not found');
  });

  it("deletes others' messages only with can_delete_messages and within 48 hours", async () => {
    const { chat, teacher, student } = classChat({ can_restrict_members: true });
    const text = api.sendMessage(chat.id, student, 'spam');
    const noRight = await telegramError(tg.deleteMessage(chat.id, text.message_id));
    expect(noRight.description).toBe("Bad Request: message can't be deleted");
    api.setBotRights(chat.id, { can_delete_messages: true }, teacher);
    expect(await tg.deleteMessage(chat.id, text.message_id)).toBe(true);
    expect(api.messages(chat.id).find((m) => m.message_id === text.message_id)?.deleted).toBe(true);
    const again = await telegramError(tg.deleteMessage(chat.id, text.message_id));
    expect(again.description).toBe('Bad Request: message to delete not found');
    const old = api.sendMessage(chat.id, student, 'old news');
    advance(2 * DAY);
    const tooOld = await telegramError(tg.deleteMessage(chat.id, old.message_id));
    expect(tooOld.description).toBe("Bad Request: message can't be deleted");
  });
});

describe('updates', () => {
  it('wakes a long poll as soon as an update arrives and drops confirmed updates', async () => {
    const { chat, student } = classChat();
    await drain();
    const started = Date.now();
    const poll = tg.getUpdates(10, 100, 0, undefined);
    await new Promise((resolve) => setTimeout(resolve, 30));
    api.sendMessage(chat.id, student, 'hello');
    const updates = await poll;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ message: { text: 'hello', from: { id: student.id } } });
    const lastId = updates[0]?.update_id ?? 0;
    expect(await tg.getUpdates(0, 100, 0, undefined)).toHaveLength(1);
    expect(await tg.getUpdates(0, 100, lastId + 1, undefined)).toEqual([]);
    expect(api.pendingUpdates()).toEqual([]);
  });

  it('leaves out chat_member unless allowed_updates names it', async () => {
    api = await restart(new FakeBotApi({ clock: () => now }));
    const { chat, teacher } = classChat();
    const byDefault = await drain([]);
    expect(types(byDefault)).toEqual(['my_chat_member', 'message', 'message']);
    const pupil = api.createUser({ first_name: 'Olga' });
    api.addMember(chat.id, pupil, { by: teacher });
    expect(types(await drain())).toEqual(['message']);
    await drain(ALL_UPDATES);
    const late = api.createUser({ first_name: 'Petr' });
    api.addMember(chat.id, late, { by: teacher });
    const updates = await drain();
    expect(types(updates)).toEqual(['chat_member', 'message']);
    expect(updates[0]).toMatchObject({
      chat_member: {
        from: { id: teacher.id },
        old_chat_member: { status: 'left', user: { id: late.id } },
        new_chat_member: { status: 'member', user: { id: late.id } },
      },
    });
  });

  it('sends chat_member only where the bot is an administrator', async () => {
    const { chat, teacher } = classChat();
    await drain();
    api.setBotRights(chat.id, null, teacher);
    const [demoted] = await drain();
    expect(demoted).toMatchObject({
      my_chat_member: { old_chat_member: { status: 'administrator' }, new_chat_member: { status: 'member' } },
    });
    api.addMember(chat.id, api.createUser({ first_name: 'Olga' }), { by: teacher });
    expect(types(await drain())).toEqual(['message']);
  });

  it('ends a waiting long poll with 409 when another getUpdates arrives', async () => {
    const first = telegramError(tg.getUpdates(10, 100, 0, undefined));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = tg.getUpdates(10, 100, 0, undefined);
    expect((await first).description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    const user = api.createUser({ first_name: 'Olga' });
    api.privateMessage(user, '/start');
    expect(types(await second)).toEqual(['message']);
  });

  it('in privacy mode shows a non-admin bot only commands, replies to it and service messages', async () => {
    api = await restart(new FakeBotApi({ clock: () => now, privacyMode: true }));
    expect((await tg.getMe()).can_read_all_group_messages).toBe(false);
    const { chat, teacher, student } = classChat();
    api.setBotRights(chat.id, null, teacher);
    const notice = await tg.sendMessage(chat.id, 'Rules are pinned');
    await drain();
    api.sendMessage(chat.id, student, 'just chatting');
    api.sendMessage(chat.id, student, '/rules@class_moderator_bot');
    api.sendMessage(chat.id, student, '/help@other_bot');
    api.sendMessage(chat.id, student, 'thanks', { replyTo: notice.message_id });
    const texts = (await drain()).map((u) => ('message' in u && 'text' in u.message ? u.message.text : '?'));
    expect(texts).toEqual(['/rules@class_moderator_bot', 'thanks']);
  });

  it('answers 409 to getUpdates while a webhook is set', async () => {
    await tg.setWebhook('http://127.0.0.1:9/hook');
    const error = await telegramError(tg.getUpdates(0, 100, 0, undefined));
    expect(error.code).toBe(409);
    expect(await tg.deleteWebhook()).toBe(true);
    expect(await tg.getUpdates(0, 100, 0, undefined)).toEqual([]);
  });

  it('delivers to a webhook with the secret header, in order per chat, redelivering after a 500', async () => {
    api = await restart(new FakeBotApi({ clock: () => now, webhook: { retryDelayMs: 10 } }));
    const { chat, student } = classChat();
    await drain(ALL_UPDATES);
    const received: Array<{ secret: string | undefined; body: WireUpdate }> = [];
    const receiver = await listen((req, body, res) => {
      received.push({
        secret: header(req, 'x-telegram-bot-api-secret-token'),
        body: JSON.parse(body) as WireUpdate,
      });
      res.writeHead(received.length === 1 ? 500 : 200).end();
    });
    try {
      await tg.setWebhook(`${receiver.url}/telegram`, { secret_token: 's3cret_token' });
      api.sendMessage(chat.id, student, 'ping');
      api.sendMessage(chat.id, student, 'pong');
      await until(() => api.pendingUpdates().length === 0);
      expect(received.map((r) => r.secret)).toEqual(['s3cret_token', 's3cret_token', 's3cret_token']);
      expect(
        received.map((r) => ('message' in r.body && 'text' in r.body.message ? r.body.message.text : '')),
      ).toEqual(['ping', 'ping', 'pong']);
      expect(api.webhookDeliveries.map((d) => d.status)).toEqual([500, 200, 200]);
      const info = await tg.getWebhookInfo();
      expect(info).toMatchObject({
        url: `${receiver.url}/telegram`,
        pending_update_count: 0,
        last_error_message: 'Wrong response from the webhook: 500 Internal Server Error',
      });
    } finally {
      await tg.deleteWebhook();
      await receiver.close();
    }
  });

  it('runs a method returned in the webhook response body', async () => {
    const { chat, student } = classChat();
    await drain();
    const receiver = await listen((_req, body, res) => {
      const update = JSON.parse(body) as WireUpdate;
      const chatId = 'message' in update ? update.message.chat.id : 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: 'sendMessage', chat_id: chatId, text: 'Noted' }));
    });
    try {
      await tg.setWebhook(receiver.url);
      api.sendMessage(chat.id, student, 'hi bot');
      await until(() => api.botMessages(chat.id).length === 1);
      expect(api.lastBotMessage(chat.id)?.text).toBe('Noted');
      expect(api.callsTo('sendMessage')).toMatchObject([{ via: 'webhook-reply', ok: true }]);
    } finally {
      await tg.deleteWebhook();
      await receiver.close();
    }
  });
});

describe('members', () => {
  it('restricts with Telegram until_date rules and lifts timed restrictions by the clock', async () => {
    const { chat, student } = classChat();
    const mute = { can_send_messages: false };
    await tg.restrictChatMember(chat.id, student.id, { permissions: mute, until_date: unix() + 20 });
    expect(api.member(chat.id, student)).toMatchObject({
      status: 'restricted',
      until_date: 0,
      is_member: true,
    });
    await tg.restrictChatMember(chat.id, student.id, { permissions: mute, until_date: unix() + 400 * DAY });
    expect(api.member(chat.id, student).until_date).toBe(0);
    const twoDays = unix() + 2 * DAY;
    await tg.restrictChatMember(chat.id, student.id, { permissions: mute, until_date: twoDays });
    expect(api.member(chat.id, student)).toMatchObject({ status: 'restricted', until_date: twoDays });
    expect(api.member(chat.id, student).permissions?.can_send_photos).toBe(false);
    expect(() => api.sendMessage(chat.id, student, 'let me talk')).toThrow(ScenarioError);
    advance(2 * DAY + 1);
    expect(api.member(chat.id, student).status).toBe('member');
    api.sendMessage(chat.id, student, 'free again');
  });

  it('returns a member to status member when given the chat default permissions', async () => {
    const { chat, student } = classChat();
    await tg.restrictChatMember(chat.id, student.id, { permissions: { can_send_messages: false } });
    await tg.restrictChatMember(chat.id, student.id, { permissions: { can_send_messages: true } });
    expect(api.member(chat.id, student).status).toBe('restricted');
    const defaults = await tg.getChat(chat.id);
    if (!('permissions' in defaults) || !defaults.permissions) throw new Error('no permissions in getChat');
    await tg.restrictChatMember(chat.id, student.id, { permissions: defaults.permissions });
    expect(api.member(chat.id, student).status).toBe('member');
  });

  it('refuses restrictions without rights, in basic groups, and on owners and administrators', async () => {
    const { chat, teacher, student } = classChat({ can_invite_users: true });
    const mute = { permissions: { can_send_messages: false } };
    expect((await telegramError(tg.restrictChatMember(chat.id, student.id, mute))).description).toBe(
      'Bad Request: not enough rights to restrict/unrestrict chat member',
    );
    api.setBotRights(chat.id, { can_restrict_members: true }, teacher);
    expect((await telegramError(tg.restrictChatMember(chat.id, teacher.id, mute))).description).toBe(
      "Bad Request: can't remove chat owner",
    );
    const deputy = api.createUser({ first_name: 'Maria' });
    api.addMember(chat.id, deputy, { by: teacher });
    api.promote(chat.id, deputy, { can_delete_messages: true }, teacher);
    expect((await telegramError(tg.restrictChatMember(chat.id, deputy.id, mute))).description).toBe(
      'Bad Request: user is an administrator of the chat',
    );
    const group = classChat(undefined, 'group');
    expect(
      (await telegramError(tg.restrictChatMember(group.chat.id, group.student.id, mute))).description,
    ).toBe('Bad Request: method is available only for supergroups');
  });

  it('unbanChatMember removes a current member unless only_if_banned is set', async () => {
    const { chat, student } = classChat();
    await drain();
    await tg.unbanChatMember(chat.id, student.id, { only_if_banned: true });
    expect(api.member(chat.id, student).status).toBe('member');
    expect(await drain()).toEqual([]);

    await tg.unbanChatMember(chat.id, student.id);
    expect(api.member(chat.id, student).status).toBe('left');
    const updates = await drain();
    expect(
      updates.map((u) =>
        'chat_member' in u ? `chat_member:${u.chat_member.new_chat_member.status}` : types([u])[0],
      ),
    ).toEqual(['chat_member:kicked', 'message', 'chat_member:left']);
    expect(updates[1]).toMatchObject({
      message: { left_chat_member: { id: student.id }, from: { id: api.bot.id } },
    });
  });

  it('bans (a banned user cannot come back by link) and lifts a ban to left', async () => {
    const { chat, student } = classChat();
    await tg.banChatMember(chat.id, student.id, unix() + 10);
    expect(api.member(chat.id, student)).toMatchObject({ status: 'kicked', until_date: 0, is_member: false });
    expect(() => api.addMember(chat.id, student, { via: 'link' })).toThrow(ScenarioError);
    await tg.unbanChatMember(chat.id, student.id, { only_if_banned: true });
    expect(api.member(chat.id, student).status).toBe('left');
    api.addMember(chat.id, student, { via: 'link' });
    expect(api.member(chat.id, student).status).toBe('member');
  });

  it('reports administrators, member counts and the bot rights through my_chat_member', async () => {
    const { chat, teacher } = classChat();
    const admins = await tg.getChatAdministrators(chat.id);
    expect(admins.map((a) => [a.user.id, a.status])).toEqual([
      [teacher.id, 'creator'],
      [api.bot.id, 'administrator'],
    ]);
    expect(await tg.getChatMembersCount(chat.id)).toBe(3);
    await drain();
    api.removeBot(chat.id, teacher);
    const [removed] = await drain();
    expect(removed).toMatchObject({
      my_chat_member: { from: { id: teacher.id }, new_chat_member: { status: 'kicked' } },
    });
    const error = await telegramError(tg.sendMessage(chat.id, 'still here?'));
    expect(error.response).toMatchObject({
      error_code: 403,
      description: 'Forbidden: bot was kicked from the supergroup chat',
    });
  });
});

describe('invite links and join requests', () => {
  it('rejects member_limit on join-request links and cuts long names', async () => {
    const { chat } = classChat();
    const error = await telegramError(
      tg.createChatInviteLink(chat.id, { creates_join_request: true, member_limit: 10 }),
    );
    expect(error.description).toBe(
      "Bad Request: member limit can't be specified for links requiring administrator approval",
    );
    const link = await tg.createChatInviteLink(chat.id, { name: 'A'.repeat(40), member_limit: 30 });
    expect(link).toMatchObject({
      name: 'A'.repeat(32),
      member_limit: 30,
      is_revoked: false,
      creates_join_request: false,
    });
    expect(link.invite_link).toMatch(/^https:\/\/t\.me\/\+[\w-]+$/);
    const revoked = await tg.revokeChatInviteLink(chat.id, link.invite_link);
    expect(revoked.is_revoked).toBe(true);
    expect(() =>
      api.addMember(chat.id, api.createUser({ first_name: 'X' }), { inviteLink: link.invite_link }),
    ).toThrow(ScenarioError);
  });

  it('needs can_invite_users for links', async () => {
    const { chat } = classChat({ can_restrict_members: true });
    const error = await telegramError(tg.createChatInviteLink(chat.id, {}));
    expect(error.description).toBe('Bad Request: not enough rights to manage chat invite link');
  });

  it('lets the bot write to an applicant for five minutes and approve them', async () => {
    const { chat } = classChat();
    const link = await tg.createChatInviteLink(chat.id, { creates_join_request: true, name: 'parents' });
    const parent = api.createUser({ first_name: 'Elena' });
    await drain();
    api.requestJoin(chat.id, parent, link.invite_link);
    const [request] = await drain();
    expect(request).toMatchObject({
      chat_join_request: {
        chat: { id: chat.id },
        from: { id: parent.id },
        user_chat_id: parent.id,
        date: unix(),
        invite_link: {
          invite_link: link.invite_link,
          creates_join_request: true,
          pending_join_request_count: 1,
        },
      },
    });
    await tg.sendMessage(parent.id, 'Please read the rules first');
    await tg.approveChatJoinRequest(chat.id, parent.id);
    expect(api.member(chat.id, parent).status).toBe('member');
    expect(api.joinRequests(chat.id)).toMatchObject([{ user: { id: parent.id }, status: 'approved' }]);
    const updates = await drain();
    expect(types(updates)).toEqual(['chat_member', 'message']);
    expect(updates[0]).toMatchObject({ chat_member: { invite_link: { invite_link: link.invite_link } } });
    expect(updates[1]).toMatchObject({
      message: { from: { id: parent.id }, new_chat_members: [{ id: parent.id }] },
    });
    const again = await telegramError(tg.approveChatJoinRequest(chat.id, parent.id));
    expect(again.description).toBe('Bad Request: HIDE_REQUESTER_MISSING');

    const late = api.createUser({ first_name: 'Sergey' });
    api.requestJoin(chat.id, late, link.invite_link);
    advance(5 * 60);
    const expired = await telegramError(tg.sendMessage(late.id, 'hello?'));
    expect(expired.description).toBe("Forbidden: bot can't initiate conversation with a user");
    await tg.declineChatJoinRequest(chat.id, late.id);
    expect(api.joinRequests(chat.id).map((r) => r.status)).toEqual(['approved', 'declined']);
  });
});

describe('buttons', () => {
  it('delivers a press as callback_query and records the answer', async () => {
    const { chat, student } = classChat();
    const sent = await tg.sendMessage(chat.id, 'Reinstate Ivan?', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] },
    });
    expect(() => api.pressButton(chat.id, sent.message_id, student, 'no')).toThrow(ScenarioError);
    await drain();
    const id = api.pressButton(chat.id, sent.message_id, student, 'yes');
    const [press] = await drain();
    expect(press).toMatchObject({
      callback_query: { id, from: { id: student.id }, data: 'yes', message: { message_id: sent.message_id } },
    });
    expect(press && 'callback_query' in press && press.callback_query.chat_instance).toMatch(/^\d+$/);
    await tg.answerCbQuery(id, 'Counted', { show_alert: true });
    expect(api.callbackAnswer(id)).toEqual({ text: 'Counted', show_alert: true });
    const twice = await telegramError(tg.answerCbQuery(id, 'again'));
    expect(twice.description).toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
  });
});

describe('faults and limits', () => {
  it('fails a call with 429 and retry_after without changing state', async () => {
    const { chat } = classChat();
    api.fail('sendMessage', { status: 429, retryAfter: 7 });
    const error = await telegramError(tg.sendMessage(chat.id, 'first'));
    expect(error.code).toBe(429);
    expect(error.response.parameters?.retry_after).toBe(7);
    expect(error.description).toBe('Too Many Requests: retry after 7');
    expect(api.botMessages(chat.id)).toEqual([]);
    await tg.sendMessage(chat.id, 'second');
    expect(api.callsTo('sendMessage').map((c) => c.ok)).toEqual([false, true]);
    expect(api.stats()).toMatchObject({ tooManyRequests: 1, injectedFaults: 1, rateLimited: 0 });
  });

  it('holds a call for a timeout fault and then performs it', async () => {
    const { chat } = classChat();
    api.fail('sendMessage', { timeoutMs: 60 }, { chatId: chat.id });
    const started = Date.now();
    await tg.sendMessage(chat.id, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(api.botMessages(chat.id)).toHaveLength(1);
  });

  it('reproduces chaos for the same seed', async () => {
    const run = async (seed: number): Promise<string> => {
      const fresh = await restart(new FakeBotApi({ clock: () => now }));
      const { chat } = classChatOn(fresh);
      fresh.chaos({ rate5xx: 0.2, rate429: 0.1, retryAfter: 1, seed });
      const client = new Telegram(fresh.token, { apiRoot: fresh.apiRoot });
      let pattern = '';
      for (let i = 0; i < 30; i++) {
        const outcome = await client.getChat(chat.id).then(
          () => '.',
          (e: unknown) => (e instanceof TelegramError ? String(e.code)[0] : '?'),
        );
        pattern += outcome;
      }
      return pattern;
    };
    const first = await run(42);
    const second = await run(42);
    expect(second).toBe(first);
    expect(first).toMatch(/5/);
    expect(first).toMatch(/4/);
    expect(first).toMatch(/\./);
    expect(await run(7)).not.toBe(first);
  });

  it('answers 429 past 20 messages a minute in one group', async () => {
    api = await restart(new FakeBotApi({ clock: () => now, limits: { perChatPerMinute: 20 } }));
    const { chat } = classChat();
    for (let i = 0; i < 20; i++) await tg.sendMessage(chat.id, `message ${i}`);
    const error = await telegramError(tg.sendMessage(chat.id, 'one too many'));
    expect(error.code).toBe(429);
    expect(error.response.parameters?.retry_after).toBeGreaterThanOrEqual(50);
    expect(error.response.parameters?.retry_after).toBeLessThanOrEqual(60);
    expect(api.stats()).toMatchObject({ rateLimited: 1, tooManyRequests: 1 });
    expect(api.botMessages(chat.id)).toHaveLength(20);
  });
});

describe('migration', () => {
  it('upgrades a basic group with both service messages and moves members', async () => {
    const { chat, student } = classChat(undefined, 'group');
    await drain();
    const supergroup = api.migrateToSupergroup(chat.id);
    expect(supergroup.id).toBeLessThan(-1000000000000);
    const updates = await drain();
    expect(updates.map((u) => ('message' in u ? u.message.chat.id : 0))).toEqual([chat.id, supergroup.id]);
    expect(updates[0]).toMatchObject({ message: { migrate_to_chat_id: supergroup.id } });
    expect(updates[1]).toMatchObject({ message: { migrate_from_chat_id: chat.id } });
    expect(api.member(supergroup.id, student).status).toBe('member');
    expect(api.member(supergroup.id, api.bot).status).toBe('administrator');
    const error = await telegramError(tg.sendMessage(chat.id, 'hello?'));
    expect(error.response).toMatchObject({
      error_code: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: supergroup.id },
    });
    await tg.sendMessage(supergroup.id, 'hello, supergroup');
  });
});

describe('commands', () => {
  it('stores commands per scope and language', async () => {
    const { chat } = classChat();
    await tg.setMyCommands([{ command: 'rules', description: 'Show the rules' }], { language_code: 'en' });
    await tg.setMyCommands([{ command: 'strike', description: 'Give a strike' }], {
      scope: { type: 'chat_administrators', chat_id: chat.id },
    });
    expect(await tg.getMyCommands({ language_code: 'en' })).toEqual([
      { command: 'rules', description: 'Show the rules' },
    ]);
    expect(await tg.getMyCommands()).toEqual([]);
    expect(api.commands({ type: 'chat_administrators', chat_id: chat.id })).toEqual([
      { command: 'strike', description: 'Give a strike' },
    ]);
    const bad = await telegramError(tg.setMyCommands([{ command: 'Rules!', description: 'x' }]));
    expect(bad.description).toBe('Bad Request: BOT_COMMAND_INVALID');
  });
});

// ---------------------------------------------------------------- helpers

function types(updates: readonly (Update | WireUpdate)[]): string[] {
  return updates.map((u) => Object.keys(u).find((key) => key !== 'update_id') ?? '?');
}

/** Replaces the suite's fake (already started) and its client. */
async function restart(next: FakeBotApi): Promise<FakeBotApi> {
  await api.stop();
  api = next;
  await api.start();
  tg = new Telegram(api.token, { apiRoot: api.apiRoot });
  return api;
}

function classChatOn(fake: FakeBotApi): { chat: { id: number }; teacher: User } {
  const teacher = fake.createUser({ first_name: 'Anna' });
  const chat = fake.createChat({ type: 'supergroup', title: '5B' });
  fake.addMember(chat.id, teacher, { status: 'creator' });
  fake.addBot(chat.id, { by: teacher, status: 'administrator', rights: { can_restrict_members: true } });
  return { chat, teacher };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A tiny webhook receiver. */
async function listen(
  onRequest: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => onRequest(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
