import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, Keyboard, MaxError } from '@maxhub/max-bot-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeMaxApi,
  LIMITS,
  MODERATOR_PERMISSIONS,
  ScenarioError,
  type WireUpdate,
} from './fake-max-api/index.js';
import { waitFor } from './net.js';

// The fake driven through the official client (@maxhub/max-bot-api 0.3.1), so the MAX connector's tests
// stand on something that speaks what the client expects.

let api: FakeMaxApi;
let bot: Bot;

beforeEach(async () => {
  // Long polls are held 300 ms at most: the client never sends `timeout` (MAX's default is 30 s).
  api = new FakeMaxApi({ maxPollHoldMs: 300, webhook: { retryBaseMs: 20, retryMaxMs: 100 } });
  await api.start();
  bot = newBot();
});

afterEach(async () => {
  bot.stopPolling();
  await api.stop();
});

function newBot(token = api.token): Bot {
  const created = new Bot(token, { clientOptions: { baseUrl: api.baseUrl } });
  // The client's default handler sets process.exitCode = 1 and rethrows.
  created.catch((error) => {
    throw error;
  });
  return created;
}

function classChat(options: { botPermissions?: typeof MODERATOR_PERMISSIONS | null; link?: boolean } = {}) {
  const teacher = api.sim.createUser('Мария', 'Иванова');
  const parent = api.sim.createUser('Пётр', 'Петров');
  const chat = api.sim.createChat('8А', {
    owner: teacher,
    members: [parent],
    link: options.link === false ? false : 'private',
  });
  const permissions = options.botPermissions === undefined ? MODERATOR_PERMISSIONS : options.botPermissions;
  api.sim.addBot(chat, permissions ? { permissions } : {});
  return { teacher, parent, chat };
}

async function rejection(promise: Promise<unknown>): Promise<MaxError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof MaxError)) throw new Error(`expected a MaxError, got ${String(error)}`);
  return error;
}

type CallbackExtra = NonNullable<Parameters<Bot['api']['answerOnCallback']>[1]>;

/** The client's types lack the schema's `notification` (CallbackAnswer); the client sends it as given. */
function notification(text: string): CallbackExtra {
  return { notification: text } as CallbackExtra;
}

function ofType(type: string): WireUpdate[] {
  return api.inspect.updates.filter((update) => update.update_type === type);
}

describe('FakeMaxApi through the official client', () => {
  it('checks the token in the Authorization header and answers /me', async () => {
    const me = await bot.api.getMyInfo();
    expect(me).toMatchObject({ user_id: api.bot.user_id, is_bot: true, username: 'class_moderator_bot' });
    const refused = await rejection(newBot('wrong').api.getMyInfo());
    expect([refused.status, refused.code]).toEqual([401, 'verify.token']);
    const byQuery = await fetch(`${api.baseUrl}me?access_token=${api.token}`);
    expect(byQuery.status).toBe(401);
    expect(await byQuery.json()).toEqual({ code: 'verify.token', message: 'Invalid access_token' });
  });

  it('sends, edits and deletes a message with an inline keyboard, and replies to a message', async () => {
    const { parent, chat } = classChat();
    const question = api.sim.post(chat, parent, 'Когда собрание?');
    const keyboard = Keyboard.inlineKeyboard([
      [Keyboard.button.callback('За', 'vote:1:yes'), Keyboard.button.callback('Против', 'vote:1:no')],
    ]);
    const sent = await bot.api.sendMessageToChat(chat.chatId, 'Голосование', {
      attachments: [keyboard],
      link: { type: 'reply', mid: question },
    });
    expect(sent.recipient).toMatchObject({ chat_id: chat.chatId, chat_type: 'chat' });
    expect(sent.link).toMatchObject({ type: 'reply', message: { mid: question } });
    const mid = sent.body.mid;
    expect(api.inspect.message(mid)).toMatchObject({
      replyTo: question,
      keyboard: [
        [
          { type: 'callback', text: 'За', payload: 'vote:1:yes' },
          { type: 'callback', text: 'Против', payload: 'vote:1:no' },
        ],
      ],
    });

    await bot.api.editMessage(mid, { text: 'Голосование закрыто', attachments: [] });
    expect(api.inspect.message(mid)).toMatchObject({ text: 'Голосование закрыто', edits: ['Голосование'] });
    expect(api.inspect.message(mid)?.keyboard).toBeUndefined();

    await bot.api.deleteMessage(mid);
    expect(api.inspect.botMessages(chat)).toEqual([]);
    const again = await rejection(bot.api.deleteMessage(mid));
    expect([again.status, again.code]).toEqual([404, 'not.found']);

    const tooLong = Keyboard.button.callback('x', 'я'.repeat(LIMITS.callbackPayloadBytes / 2 + 1));
    const refused = await rejection(
      bot.api.sendMessageToChat(chat.chatId, 'x', { attachments: [Keyboard.inlineKeyboard([[tooLong]])] }),
    );
    expect([refused.status, refused.code]).toEqual([400, 'proto.payload']);
  });

  it('delivers a button press and takes the answer (notification, or the message replaced)', async () => {
    const { parent, chat } = classChat();
    const sent = await bot.api.sendMessageToChat(chat.chatId, 'Голосование', {
      attachments: [Keyboard.inlineKeyboard([[Keyboard.button.callback('За', 'vote:1:yes')]])],
    });
    const answered: string[] = [];
    bot.action(/^vote:(\d+):(yes|no)$/, async (ctx) => {
      await ctx.answerOnCallback(notification('Голос учтён'));
      answered.push(ctx.callback?.callback_id ?? '');
    });
    void bot.start();
    const callbackId = api.sim.press(sent.body.mid, parent, 'vote:1:yes');
    await waitFor(() => answered.length === 1, 'the press to be answered', 5000);
    expect(answered).toEqual([callbackId]);
    expect(api.inspect.callbackAnswers(callbackId)).toMatchObject([{ notification: 'Голос учтён' }]);
    expect(ofType('message_callback')[0]).toMatchObject({
      callback: { callback_id: callbackId, payload: 'vote:1:yes', user: { user_id: parent.user_id } },
      message: { body: { mid: sent.body.mid } },
    });

    await bot.api.answerOnCallback(callbackId, { message: { text: 'Итог: 1 за' } });
    expect(api.inspect.message(sent.body.mid)?.text).toBe('Итог: 1 за');
    const empty = await rejection(bot.api.answerOnCallback(callbackId, {}));
    expect(empty.status).toBe(400);

    await bot.api.deleteMessage(sent.body.mid);
    const late = api.sim.press(sent.body.mid, parent, 'vote:1:yes');
    await waitFor(() => answered.length === 2, 'the late press to be answered', 5000);
    expect(ofType('message_callback').at(-1)).toMatchObject({
      callback: { callback_id: late },
      message: null,
    });
    expect(() => api.sim.press(sent.body.mid, api.sim.createUser('Чужой'), 'vote:1:yes')).toThrow(
      ScenarioError,
    );
  });

  it('lists admins only to an admin bot, with their permissions', async () => {
    const { teacher, chat } = classChat({ botPermissions: null });
    const refused = await rejection(bot.api.getChatAdmins(chat.chatId));
    expect([refused.status, refused.code]).toEqual([403, 'access.denied']);

    api.sim.setBotPermissions(chat, MODERATOR_PERMISSIONS);
    const { members } = await bot.api.getChatAdmins(chat.chatId);
    expect(members.map((m) => [m.user_id, m.is_owner])).toEqual([
      [teacher.user_id, true],
      [api.bot.user_id, false],
    ]);
    const me = await bot.api.getChatMembership(chat.chatId);
    expect(me).toMatchObject({ is_admin: true, permissions: [...MODERATOR_PERMISSIONS] });
    // Reported as webhook-only: not in the polling queue.
    expect(ofType('bot_admin_permissions_changed')).toHaveLength(1);
    expect(api.inspect.pendingUpdates.map((u) => u.update_type)).toEqual(['bot_added']);
  });

  it('removes with block (held only where the chat has a link) and re-adds, which lifts the block', async () => {
    const { parent, chat } = classChat();
    // The helper drops `block`: the raw API carries it.
    await bot.api.raw.chats.removeChatMember({ chat_id: chat.chatId, user_id: parent.user_id, block: true });
    expect(api.inspect.callsTo('DELETE /chats/{chatId}/members')[0]?.query).toEqual({
      user_id: String(parent.user_id),
      block: 'true',
    });
    expect(api.inspect.member(chat, parent)).toBeUndefined();
    expect(api.inspect.isBlocked(chat, parent)).toBe(true);
    expect(() => api.sim.addMember(chat, parent, { by: 'link' })).toThrow(ScenarioError);
    expect(ofType('user_removed').at(-1)).toMatchObject({
      user: { user_id: parent.user_id },
      admin_id: api.bot.user_id,
    });

    const result = await bot.api.addChatMembers(chat.chatId, [parent.user_id]);
    expect(result).toEqual({ success: true });
    expect(api.inspect.isBlocked(chat, parent)).toBe(false);
    expect(ofType('user_added').at(-1)).toMatchObject({
      user: { user_id: parent.user_id },
      inviter_id: api.bot.user_id,
    });

    const notMember = await rejection(bot.api.removeChatMember(chat.chatId, 123));
    expect([notMember.status, notMember.code]).toEqual([404, 'not.found']);

    const hidden = api.sim.createUser('Скрытый', '', { privacy: true });
    const partial = await bot.api.addChatMembers(chat.chatId, [hidden.user_id]);
    expect(partial).toMatchObject({
      success: false,
      failed_user_details: [{ error_code: 'add.participant.privacy', user_ids: [hidden.user_id] }],
    });

    const noLink = classChat({ link: false });
    await bot.api.raw.chats.removeChatMember({
      chat_id: noLink.chat.chatId,
      user_id: noLink.parent.user_id,
      block: true,
    });
    expect(api.inspect.isBlocked(noLink.chat, noLink.parent)).toBe(false);
  });

  it('long polling: each update reaches the handlers once, and stays until a later marker is passed', async () => {
    const { teacher, parent, chat } = classChat();
    const raw = await bot.api.getUpdates();
    expect(raw.updates.map((u) => u.update_type)).toEqual(['bot_added']);
    const again = await bot.api.getUpdates();
    expect(again).toEqual(raw);
    const next = await bot.api.getUpdates([], { marker: raw.marker });
    expect(next.updates).toEqual([]);

    const seen: string[] = [];
    bot.on('message_created', (ctx) => {
      seen.push(ctx.message?.body.mid ?? '');
    });
    void bot.start();
    const mids = [api.sim.post(chat, parent, 'раз'), api.sim.post(chat, teacher, 'два')];
    await waitFor(() => seen.length === 2, 'two messages', 5000);
    mids.push(api.sim.post(chat, parent, 'три'));
    await waitFor(() => seen.length === 3, 'the third message', 5000);
    await waitFor(() => api.inspect.pendingUpdates.length === 0, 'the batch to be committed', 5000);
    expect(seen).toEqual(mids);
    const markers = api.inspect.pollRequests.map((r) => r.marker).filter((m) => m !== undefined);
    expect(markers).toEqual([...markers].sort((a, b) => a - b));
  });

  it('long polling filters by types, pages by limit, and holds until a wanted update comes', async () => {
    const { teacher, parent, chat } = classChat();
    const first = await bot.api.getUpdates(['message_created']);
    expect(first.updates).toEqual([]); // bot_added skipped, and passed by the marker
    api.sim.post(chat, parent, 'раз');
    api.sim.post(chat, teacher, 'два');
    const page = await bot.api.getUpdates(['message_created'], { marker: first.marker, limit: 1 });
    expect(page.updates.map((u) => u.update_type)).toEqual(['message_created']);
    const rest = await bot.api.getUpdates(['message_created'], { marker: page.marker });
    expect(rest.updates).toHaveLength(1);

    const held = bot.api.getUpdates(['message_created'], { marker: rest.marker });
    setTimeout(() => {
      api.sim.renameChat(chat, 'другое', teacher);
      api.sim.post(chat, parent, 'три');
    }, 50);
    expect((await held).updates).toMatchObject([{ message: { body: { text: 'три' } } }]);
  });

  it('keeps the group quiet for a bot without read_all_messages, but not its own membership', async () => {
    const { parent, chat } = classChat({ botPermissions: null });
    api.sim.post(chat, parent, 'не слышно');
    const newcomer = api.sim.createUser('Новый');
    api.sim.addMember(chat, newcomer, { by: 'link' });
    api.sim.renameChat(chat, '8А класс', parent);
    expect(api.inspect.updates.map((u) => u.update_type)).toEqual(['bot_added', 'chat_title_changed']);
    api.sim.setBotPermissions(chat, ['read_all_messages']);
    api.sim.leave(chat, newcomer);
    expect(ofType('user_removed')).toMatchObject([{ user: { user_id: newcomer.user_id }, admin_id: null }]);
  });

  it('starts the bot from a deep link with its payload, and refuses a dialog the person stopped', async () => {
    const parent = api.sim.createUser('Пётр');
    const before = await rejection(bot.api.sendMessageToUser(parent.user_id, 'Здравствуйте'));
    expect([before.status, before.code]).toEqual([403, 'chat.denied']);

    const payloads: Array<string | null | undefined> = [];
    bot.on('bot_started', async (ctx) => {
      payloads.push(ctx.startPayload);
      await ctx.reply('Правила чата');
    });
    void bot.start();
    expect(api.deepLink('join-8a')).toBe('https://max.ru/class_moderator_bot?start=join-8a');
    const dialogId = api.sim.startBot(parent, 'join-8a');
    api.sim.startBot(parent, 'x'.repeat(129));
    await waitFor(() => payloads.length === 2, 'two starts', 5000);
    expect(payloads).toEqual(['join-8a', undefined]);
    await waitFor(() => api.inspect.privateMessages(parent).length === 2, 'the replies', 5000);
    expect(api.inspect.privateMessages(parent)[0]).toMatchObject({ chatId: dialogId, text: 'Правила чата' });

    api.sim.stopBot(parent);
    const after = await rejection(bot.api.sendMessageToUser(parent.user_id, 'Ещё'));
    expect(after.status).toBe(403);
  });

  it('webhook: POSTs each update with the secret, retries a 500, and refuses polling meanwhile', async () => {
    const { parent, chat } = classChat();
    const handled: string[] = [];
    bot.on('message_created', (ctx) => {
      handled.push(ctx.message?.body.text ?? '');
    });
    const callback = bot.webhookCallback({ domain: '127.0.0.1', path: '/hook', secret: 'secret_123' });
    const secrets: Array<string | string[] | undefined> = [];
    let failures = 1;
    const receiver = http.createServer((req, res) => {
      secrets.push(req.headers['x-max-bot-api-secret']);
      if (failures-- > 0) {
        req.resume();
        res.writeHead(500).end();
        return;
      }
      callback(req, res);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      // The client subscribes https://<domain><path>; the fake delivers to loopback over HTTP.
      await bot.api.subscribe(`https://127.0.0.1:${port}/hook`, 'secret_123');
      const polling = await rejection(bot.api.getUpdates());
      expect(polling.status).toBe(405);

      api.sim.post(chat, parent, 'через вебхук');
      await api.webhookIdle();
      await waitFor(() => handled.length === 1, 'the handler', 5000);
      expect(handled).toEqual(['через вебхук']);
      expect(secrets).toEqual(['secret_123', 'secret_123']);
      expect(api.inspect.webhookDeliveries.map((d) => [d.attempt, d.status])).toEqual([
        [1, 500],
        [2, 200],
      ]);
      // Starting in polling mode removes every subscription first.
      void bot.start();
      await waitFor(() => api.inspect.pollRequests.length > 0, 'polling to start', 5000);
      expect(await bot.api.getSubscriptions()).toEqual([]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('answers 429 past 30 requests a second per token, and past 2 deletions a second per chat', async () => {
    const burst = await Promise.allSettled(Array.from({ length: 35 }, () => bot.api.getMyInfo()));
    const refused = burst.flatMap((r) => (r.status === 'rejected' ? [r.reason as MaxError] : []));
    expect(refused.map((e) => [e.status, e.code])).toEqual(Array(5).fill([429, 'too.many.requests']));
    expect(api.inspect.stats()).toMatchObject({ tooManyRequests: 5, maxCallsPerSecond: 30 });

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { chat } = classChat();
    const sent = await Promise.all([1, 2, 3].map((n) => bot.api.sendMessageToChat(chat.chatId, `№${n}`)));
    const deletions = await Promise.allSettled(sent.map((m) => bot.api.deleteMessage(m.body.mid)));
    expect(deletions.map((d) => d.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(api.inspect.stats().deletionsThrottled).toBe(1);
  });

  it('an indeterminate fault: the effect happens, the answer is lost', async () => {
    const { parent, chat } = classChat();
    api.fail('POST /messages', { kind: 'lost' });
    const lost = await rejection(bot.api.sendMessageToChat(chat.chatId, 'Предупреждение'));
    expect([lost.status, lost.code]).toEqual([502, 'unexpected.response']);
    expect(api.inspect.botMessages(chat).map((m) => m.text)).toEqual(['Предупреждение']);

    api.fail('DELETE /chats/{chatId}/members', { kind: 'lost', status: 'drop' });
    const dropped = await bot.api.raw.chats
      .removeChatMember({ chat_id: chat.chatId, user_id: parent.user_id, block: true })
      .then(
        () => 'answered',
        (error: unknown) => (error instanceof Error ? error.name : 'unknown'),
      );
    expect(dropped).toBe('TypeError');
    expect(api.inspect.member(chat, parent)).toBeUndefined();
    expect(api.inspect.callsTo('DELETE /chats/{chatId}/members')).toMatchObject([
      { status: 0, applied: true, fault: 'queued:lost' },
    ]);
  });

  it('seeded chaos repeats itself for the same seed', async () => {
    const run = async (): Promise<string[]> => {
      api.setChaos({ seed: 42, serverError: 0.2, tooManyRequests: 0.1, lost: 0.1 });
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        outcomes.push(
          await bot.api.getChat(chatId).then(
            () => 'ok',
            (error: unknown) => (error instanceof MaxError ? String(error.status) : 'drop'),
          ),
        );
      }
      api.setChaos(undefined);
      return outcomes;
    };
    const { chat } = classChat();
    const chatId = chat.chatId;
    api.setRateLimit(false);
    const first = await run();
    expect(first).toEqual(await run());
    expect(new Set(first).size).toBeGreaterThan(2);
  });

  it('shows chats with their link and the bot\u2019s status, pages members, and has no chat list', async () => {
    const { teacher, chat } = classChat();
    for (let i = 0; i < 25; i += 1)
      api.sim.addMember(chat, api.sim.createUser(`Ученик ${i}`), { by: teacher });
    const info = await bot.api.getChat(chat.chatId);
    expect(info).toMatchObject({ type: 'chat', status: 'active', title: '8А', participants_count: 28 });
    expect(info.link).toMatch(/^https:\/\/max\.ru\/join\//);

    const first = await bot.api.getChatMembers(chat.chatId);
    expect(first.members).toHaveLength(20);
    const second = await bot.api.getChatMembers(chat.chatId, first.marker ? { marker: first.marker } : {});
    expect(second.members).toHaveLength(8);
    expect(second.marker).toBeNull();

    const missing = await rejection(bot.api.getAllChats());
    expect(missing.status).toBe(404);

    api.sim.removeBot(chat, { by: teacher });
    expect((await bot.api.getChat(chat.chatId)).status).toBe('removed');
    const gone = await rejection(bot.api.sendMessageToChat(chat.chatId, 'x'));
    expect([gone.status, gone.code]).toEqual([403, 'chat.denied']);
  });
});
