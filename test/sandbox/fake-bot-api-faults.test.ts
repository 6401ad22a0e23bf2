import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegram, TelegramError } from 'telegraf';
import type { Update, User } from 'telegraf/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeBotApi,
  type FakeBotApiOptions,
  TELEGRAM_LIMITS_EVERY_METHOD,
  type UpdateType,
  type WireUpdate,
} from '../../src/sandbox/telegram/index.js';

// The fake's failure modes that make duplicates and losses: indeterminate faults, retry_after discipline,
// member-action limits, late redelivery, and Telegram's own refusals. Driven over real HTTP, as a bot would.

const START = new Date('2025-03-03T08:00:00Z');
const ALL_UPDATES: UpdateType[] = [
  'message',
  'callback_query',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
];
const MUTE = { can_send_messages: false };

let now: Date;
let api: FakeBotApi;
let tg: Telegram;

/** Moves the fake's clock. */
function advance(seconds: number): void {
  now = new Date(now.getTime() + seconds * 1000);
}

async function fresh(options: FakeBotApiOptions = {}): Promise<void> {
  await api?.stop();
  api = new FakeBotApi({ clock: () => now, allowedUpdates: ALL_UPDATES, ...options });
  await api.start();
  tg = new Telegram(api.token, { apiRoot: api.apiRoot });
}

beforeEach(async () => {
  now = START;
  await fresh();
});

afterEach(async () => {
  await api.stop();
});

/** A class chat: teacher owns it, the bot is an administrator with every right it needs, two members. */
function classChat(title = '5B') {
  const teacher = api.createUser({ first_name: 'Anna' });
  const student = api.createUser({ first_name: 'Ivan' });
  const other = api.createUser({ first_name: 'Olga' });
  const chat = api.createChat({ type: 'supergroup', title });
  api.addMember(chat.id, teacher, { status: 'creator' });
  api.addBot(chat.id, {
    by: teacher,
    status: 'administrator',
    rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
  });
  api.addMember(chat.id, student, { by: teacher });
  api.addMember(chat.id, other, { by: teacher });
  return { chat, teacher, student, other };
}

/** A raw Bot API call: the HTTP status and body, or `dropped` when the connection was destroyed. */
async function call(
  method: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<{ status: number; body: { ok: boolean; description?: string } } | 'dropped' | 'aborted'> {
  try {
    const response = await fetch(`${api.apiRoot}/bot${api.token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
      ...(signal && { signal }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { ok: boolean; description?: string },
    };
  } catch (error) {
    if (signal?.aborted) return 'aborted';
    if (error instanceof TypeError) return 'dropped';
    throw error;
  }
}

async function telegramError(promise: Promise<unknown>): Promise<TelegramError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TelegramError)) throw new Error(`expected a TelegramError, got ${String(error)}`);
  return error;
}

/** getUpdates without waiting: `offset` confirms what came before it. */
function peek(offset = 0): Promise<Update[]> {
  return tg.getUpdates(0, 100, offset, undefined);
}

/** Confirms every pending update; returns the offset to poll from next. */
async function confirmAll(): Promise<number> {
  const next = ((await peek()).at(-1)?.update_id ?? 0) + 1;
  await peek(next);
  return next;
}

function ids(updates: readonly (Update | WireUpdate)[]): number[] {
  return updates.map((u) => u.update_id);
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('indeterminate faults: the call runs, then its answer is lost', () => {
  // Each action and what shows it happened.
  const actions: Array<{
    method: string;
    params: (
      c: ReturnType<typeof classChat>,
      extra: { messageId: number; applicant: User },
    ) => Record<string, unknown>;
    happened: (c: ReturnType<typeof classChat>, extra: { messageId: number; applicant: User }) => unknown;
    want: unknown;
  }> = [
    {
      method: 'sendMessage',
      params: (c) => ({ chat_id: c.chat.id, text: 'Rules, please' }),
      happened: (c) => api.botMessages(c.chat.id).at(-1)?.text,
      want: 'Rules, please',
    },
    {
      method: 'editMessageText',
      params: (c, x) => ({ chat_id: c.chat.id, message_id: x.messageId, text: 'edited' }),
      happened: (c, x) => api.messages(c.chat.id).find((m) => m.message_id === x.messageId)?.text,
      want: 'edited',
    },
    {
      method: 'deleteMessage',
      params: (c, x) => ({ chat_id: c.chat.id, message_id: x.messageId }),
      happened: (c, x) => api.messages(c.chat.id).find((m) => m.message_id === x.messageId)?.deleted,
      want: true,
    },
    {
      method: 'restrictChatMember',
      params: (c) => ({ chat_id: c.chat.id, user_id: c.student.id, permissions: MUTE }),
      happened: (c) => api.member(c.chat.id, c.student).status,
      want: 'restricted',
    },
    {
      method: 'banChatMember',
      params: (c) => ({ chat_id: c.chat.id, user_id: c.student.id }),
      happened: (c) => api.member(c.chat.id, c.student).status,
      want: 'kicked',
    },
    {
      method: 'unbanChatMember',
      params: (c) => ({ chat_id: c.chat.id, user_id: c.other.id }),
      happened: (c) => api.member(c.chat.id, c.other).status,
      want: 'left',
    },
    {
      method: 'approveChatJoinRequest',
      params: (c, x) => ({ chat_id: c.chat.id, user_id: x.applicant.id }),
      happened: (c, x) => api.member(c.chat.id, x.applicant).status,
      want: 'member',
    },
    {
      method: 'declineChatJoinRequest',
      params: (c, x) => ({ chat_id: c.chat.id, user_id: x.applicant.id }),
      happened: (c) => api.joinRequests(c.chat.id).map((r) => r.status),
      want: ['declined'],
    },
  ];

  async function setUp() {
    const c = classChat();
    const sent = await tg.sendMessage(c.chat.id, 'to edit or delete');
    await tg.banChatMember(c.chat.id, c.other.id);
    const link = await tg.createChatInviteLink(c.chat.id, { creates_join_request: true });
    const applicant = api.createUser({ first_name: 'Elena' });
    api.requestJoin(c.chat.id, applicant, link.invite_link);
    api.resetStats();
    api.clearCalls();
    return { c, extra: { messageId: sent.message_id, applicant } };
  }

  it.each(actions)(
    '$method takes effect though the client gets a 502',
    async ({ method, params, happened, want }) => {
      const { c, extra } = await setUp();
      api.fail(method, { indeterminate: 502 }, { chatId: c.chat.id });
      const answer = await call(method, params(c, extra));
      expect(answer).toMatchObject({ status: 502, body: { ok: false, description: 'Bad Gateway' } });
      expect(happened(c, extra)).toEqual(want);
      expect(api.callsTo(method).at(-1)).toMatchObject({
        ok: false,
        errorCode: 502,
        lostAnswer: { ok: true },
      });
      expect(api.stats()).toMatchObject({
        injectedFaults: 1,
        faultsByKind: { indeterminate5xx: 1 },
        indeterminateFaults: { [method]: 1 },
      });
    },
  );

  it.each(actions)(
    '$method takes effect though the connection is dropped',
    async ({ method, params, happened, want }) => {
      const { c, extra } = await setUp();
      api.fail(method, { indeterminate: 'timeout', holdMs: 20 });
      const started = Date.now();
      expect(await call(method, params(c, extra))).toBe('dropped');
      expect(Date.now() - started).toBeGreaterThanOrEqual(15);
      expect(happened(c, extra)).toEqual(want);
      expect(api.stats()).toMatchObject({
        faultsByKind: { indeterminateTimeout: 1 },
        indeterminateFaults: { [method]: 1 },
      });
    },
  );

  it('takes effect when the client gives up before the answer, and a retry makes a second copy', async () => {
    const { chat } = classChat();
    api.fail('sendMessage', { indeterminate: 'timeout', holdMs: 2000 });
    const gaveUp = await call('sendMessage', { chat_id: chat.id, text: 'Hello' }, AbortSignal.timeout(50));
    expect(gaveUp).toBe('aborted');
    await tg.sendMessage(chat.id, 'Hello');
    expect(api.botMessages(chat.id).map((m) => m.text)).toEqual(['Hello', 'Hello']);
    // What a test bounds: at most one extra copy per lost answer.
    const extra = api.botMessages(chat.id).length - 1;
    expect(extra).toBeLessThanOrEqual(api.stats().indeterminateFaults.sendMessage ?? 0);
  });

  it("records the method's own refusal as the lost answer", async () => {
    const { chat, teacher } = classChat();
    api.fail('banChatMember', { indeterminate: 503 });
    const answer = await call('banChatMember', { chat_id: chat.id, user_id: teacher.id });
    expect(answer).toMatchObject({ status: 503 });
    expect(api.callsTo('banChatMember')[0]?.lostAnswer).toEqual({
      ok: false,
      errorCode: 400,
      description: "Bad Request: can't remove chat owner",
    });
    expect(api.member(chat.id, teacher).status).toBe('creator');
  });

  it('comes from chaos too, seeded, without moving the other faults of the same seed', async () => {
    // One letter per call: . answered, 5 a 5xx before running, 4 a 429, X a 5xx after running, D dropped after.
    const pattern = async (rateIndeterminate: number, indeterminateAs?: '5xx' | 'timeout') => {
      await fresh();
      const { chat } = classChat();
      api.chaos({
        rate5xx: 0.2,
        rate429: 0.1,
        rateIndeterminate,
        ...(indeterminateAs && { indeterminateAs }),
        seed: 11,
      });
      let text = '';
      for (let i = 0; i < 40; i++) {
        const answer = await call('sendMessage', { chat_id: chat.id, text: `m${i}` });
        const sent = api.botMessages(chat.id).some((m) => m.text === `m${i}`);
        if (answer === 'dropped' || answer === 'aborted') text += 'D';
        else if (answer.body.ok) text += '.';
        else if (answer.status === 429) text += '4';
        else text += sent ? 'X' : '5';
      }
      return { text, stats: api.stats() };
    };
    const plain = await pattern(0);
    const lossy = await pattern(0.3);
    expect(lossy.text).toBe((await pattern(0.3)).text);
    // 5xx and 429 land on the same calls; some successes became lost answers of both kinds.
    expect(lossy.text.replace(/[XD]/g, '.')).toBe(plain.text);
    expect(lossy.text).toMatch(/X/);
    expect(lossy.text).toMatch(/D/);
    const lost = (lossy.text.match(/[XD]/g) ?? []).length;
    expect(lossy.stats.indeterminateFaults).toEqual({ sendMessage: lost });
    expect((await pattern(0.3, '5xx')).text).not.toMatch(/D/);
  });
});

describe('429 means wait', () => {
  it('counts a call that comes before retry_after has passed, per method and chat', async () => {
    const { chat, student } = classChat();
    const { chat: otherChat } = classChat('6A');
    api.fail('restrictChatMember', { status: 429, retryAfter: 5 }, { chatId: chat.id });
    const first = await telegramError(tg.restrictChatMember(chat.id, student.id, { permissions: MUTE }));
    expect(first.response.parameters?.retry_after).toBe(5);
    advance(2);
    await tg.restrictChatMember(chat.id, student.id, { permissions: MUTE });
    await tg.sendMessage(chat.id, 'another method is not a retry');
    await tg.getChat(otherChat.id);
    advance(3);
    await tg.restrictChatMember(chat.id, student.id, { permissions: { can_send_messages: true } });
    expect(api.stats().earlyRetries).toEqual([
      {
        method: 'restrictChatMember',
        chatId: String(chat.id),
        at: new Date(START.getTime() + 2000),
        earlyByMs: 3000,
        refused: false,
      },
    ]);
  });

  it('with enforceRetryAfter, answers an early retry with another 429 for the rest of the wait', async () => {
    await fresh({ enforceRetryAfter: true });
    const { chat, student } = classChat();
    api.fail('banChatMember', { status: 429, retryAfter: 5 });
    await telegramError(tg.banChatMember(chat.id, student.id));
    advance(3);
    const early = await telegramError(tg.banChatMember(chat.id, student.id));
    expect(early.code).toBe(429);
    expect(early.description).toBe('Too Many Requests: retry after 2');
    expect(api.member(chat.id, student).status).toBe('member');
    advance(2);
    await tg.banChatMember(chat.id, student.id);
    expect(api.member(chat.id, student).status).toBe('kicked');
    expect(api.stats()).toMatchObject({ tooManyRequests: 2, injectedFaults: 1 });
    expect(api.stats().earlyRetries).toMatchObject([
      { method: 'banChatMember', earlyByMs: 2000, refused: true },
    ]);
  });

  it('is armed by chaos 429s and by rate limits', async () => {
    await fresh({ limits: { perChatPerMinute: 1 } });
    const { chat } = classChat();
    await tg.sendMessage(chat.id, 'one');
    const limited = await telegramError(tg.sendMessage(chat.id, 'two'));
    expect(limited.code).toBe(429);
    await telegramError(tg.sendMessage(chat.id, 'two, at once'));
    expect(api.stats().earlyRetries).toMatchObject([{ method: 'sendMessage', chatId: String(chat.id) }]);

    api.resetStats();
    api.chaos({ rate429: 1, retryAfter: 4, seed: 1, methods: ['getChat'] });
    await telegramError(tg.getChat(chat.id));
    api.chaos(null);
    advance(1);
    await tg.getChat(chat.id);
    expect(api.stats().earlyRetries).toMatchObject([{ method: 'getChat', earlyByMs: 3000, refused: false }]);
  });
});

describe('429 means wait, for button answers', () => {
  async function pressIn(title: string) {
    const { chat, student } = classChat(title);
    const sent = await tg.sendMessage(chat.id, 'Agree?', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] },
    });
    return { chat, press: () => api.pressButton(chat.id, sent.message_id, student, 'yes') };
  }

  it("keys an answer's wait by the pressed message's chat: another chat's answer is not early", async () => {
    const first = await pressIn('5B');
    const second = await pressIn('6A');
    api.fail('answerCallbackQuery', { status: 429, retryAfter: 5 });
    await telegramError(tg.answerCbQuery(first.press()));
    await tg.answerCbQuery(second.press());
    expect(api.stats().earlyRetries).toEqual([]);
    advance(1);
    await tg.answerCbQuery(first.press());
    expect(api.stats().earlyRetries).toMatchObject([
      { method: 'answerCallbackQuery', chatId: String(first.chat.id), earlyByMs: 4000 },
    ]);
  });
});

describe('member-action rate limits', () => {
  it('answers 429 past the per-chat limit without acting, and leaves messages alone', async () => {
    await fresh({ limits: { memberActions: { perChatPerSecond: 2 } } });
    const { chat, student, other } = classChat();
    const { chat: otherChat, student: otherStudent } = classChat('6A');
    await tg.restrictChatMember(chat.id, student.id, { permissions: MUTE });
    await tg.unbanChatMember(chat.id, other.id, { only_if_banned: true });
    const error = await telegramError(tg.banChatMember(chat.id, other.id));
    expect(error.code).toBe(429);
    expect(error.response.parameters?.retry_after).toBe(1);
    expect(api.member(chat.id, other).status).toBe('member');
    await tg.sendMessage(chat.id, 'messages are not member actions');
    await tg.banChatMember(otherChat.id, otherStudent.id);
    expect(api.stats()).toMatchObject({ rateLimited: 1, rateLimitedMemberActions: 1, tooManyRequests: 1 });
  });

  it('has an overall limit and counts deletions and join-request answers', async () => {
    await fresh({ limits: { memberActions: { globalPerSecond: 3 } } });
    const a = classChat('5B');
    const b = classChat('6A');
    const sent = await tg.sendMessage(a.chat.id, 'to delete');
    const link = await tg.createChatInviteLink(b.chat.id, { creates_join_request: true });
    const applicant = api.createUser({ first_name: 'Elena' });
    api.requestJoin(b.chat.id, applicant, link.invite_link);
    await tg.deleteMessage(a.chat.id, sent.message_id);
    await tg.declineChatJoinRequest(b.chat.id, applicant.id);
    await tg.restrictChatMember(b.chat.id, b.student.id, { permissions: MUTE });
    const error = await telegramError(tg.restrictChatMember(a.chat.id, a.student.id, { permissions: MUTE }));
    expect(error.code).toBe(429);
    expect(api.stats().rateLimitedMemberActions).toBe(1);
  });

  it("TELEGRAM_LIMITS_EVERY_METHOD limits a chat's member actions to one a second, apart from its messages", async () => {
    await fresh({ limits: TELEGRAM_LIMITS_EVERY_METHOD });
    const { chat, student, other } = classChat();
    await tg.restrictChatMember(chat.id, student.id, { permissions: MUTE });
    const error = await telegramError(tg.banChatMember(chat.id, other.id));
    expect(error.code).toBe(429);
    expect(api.member(chat.id, other).status).toBe('member');
    // A message into the same chat in the same second counts against the message limits only.
    await tg.sendMessage(chat.id, 'messages are counted apart');
    expect(api.stats()).toMatchObject({ rateLimited: 1, rateLimitedMemberActions: 1 });
  });

  it('counts only the methods it is given, and nothing when off', async () => {
    await fresh({ limits: { memberActions: { perChatPerSecond: 1, methods: ['banChatMember'] } } });
    const { chat, student, other } = classChat();
    await tg.restrictChatMember(chat.id, student.id, { permissions: MUTE });
    await tg.restrictChatMember(chat.id, other.id, { permissions: MUTE });
    await tg.banChatMember(chat.id, student.id);
    expect((await telegramError(tg.banChatMember(chat.id, other.id))).code).toBe(429);

    await fresh();
    const off = classChat();
    for (let i = 0; i < 10; i++) {
      await tg.restrictChatMember(off.chat.id, off.student.id, {
        permissions: i % 2 ? MUTE : { can_send_messages: true },
      });
    }
    expect(api.stats().tooManyRequests).toBe(0);
  });
});

describe('later redelivery of duplicates', () => {
  it('holds a copy back until N more updates were created, then delivers it in a later batch', async () => {
    const { chat, student } = classChat();
    const offset = await confirmAll();
    api.duplicateUpdates({ rate: 1, seed: 1, hold: { afterUpdates: 2 } });
    api.sendMessage(chat.id, student, 'first');
    api.duplicateUpdates(null);
    const first = await peek(offset);
    expect(first).toHaveLength(1);
    const id = first[0]?.update_id ?? 0;
    expect(ids(api.heldUpdates())).toEqual([id]);
    api.sendMessage(chat.id, student, 'second');
    expect(api.heldUpdates()).toHaveLength(1);
    api.sendMessage(chat.id, student, 'third');
    const later = await peek(id + 1);
    expect(ids(later)).toEqual([id, id + 1, id + 2]);
    expect(later[0]).toEqual(first[0]);
    await peek(id + 3);
    expect(api.pendingUpdates()).toEqual([]);
    expect(api.stats().updates).toMatchObject({ duplicated: 1, held: 0, redelivered: 1 });
  });

  it('releases a copy after a time and wakes a waiting long poll with it', async () => {
    const { chat, student } = classChat();
    const offset = await confirmAll();
    api.duplicateUpdates({ rate: 1, seed: 1, hold: { afterMs: 100 } });
    const message = api.sendMessage(chat.id, student, 'hello');
    const [original] = await peek(offset);
    expect(original).toMatchObject({ message: { message_id: message.message_id } });
    const started = Date.now();
    const [copy] = await tg.getUpdates(5, 100, (original?.update_id ?? 0) + 1, undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(copy).toEqual(original);
  });

  it('keeps held copies past the offsets until redeliverHeld(), and again for a restarted bot', async () => {
    const { chat, student } = classChat();
    const offset = await confirmAll();
    api.duplicateUpdates({ rate: 0.5, seed: 3, hold: {} });
    for (let i = 0; i < 8; i++) api.sendMessage(chat.id, student, `m${i}`);
    const batch = await peek(offset);
    expect(batch).toHaveLength(8);
    const next = (batch.at(-1)?.update_id ?? 0) + 1;
    await peek(next);
    expect(api.pendingUpdates()).toEqual([]);
    const held = api.heldUpdates();
    expect(held.length).toBeGreaterThan(0);
    expect(api.stats().updates.held).toBe(held.length);

    expect(api.redeliverHeld()).toBe(held.length);
    // The offset the bot has moved on to does not confirm them …
    expect(await peek(next)).toEqual(held);
    // … a bot that restarts before handling them gets them again (offset 0 confirms nothing) …
    expect(await peek(0)).toEqual(held);
    // … and confirming that answer ends them.
    await peek((held.at(-1)?.update_id ?? 0) + 1);
    expect(await peek(0)).toEqual([]);
    expect(api.stats().updates).toMatchObject({ held: 0, redelivered: held.length });
  });

  it('delivers both copies to a webhook, the held one later', async () => {
    const { chat, student } = classChat();
    await confirmAll();
    const received: number[] = [];
    const receiver = await listen((body, res) => {
      received.push((JSON.parse(body) as WireUpdate).update_id);
      res.writeHead(200).end();
    });
    try {
      await tg.setWebhook(receiver.url);
      api.duplicateUpdates({ rate: 1, seed: 1 });
      api.sendMessage(chat.id, student, 'at once');
      await until(() => received.length === 2 && api.pendingUpdates().length === 0);
      expect(received[0]).toBe(received[1]);

      api.duplicateUpdates({ rate: 1, seed: 1, hold: {} });
      api.sendMessage(chat.id, student, 'later');
      await until(() => received.length === 3);
      expect(api.heldUpdates()).toHaveLength(1);
      api.redeliverHeld();
      await until(() => received.length === 4 && api.pendingUpdates().length === 0);
      expect(received[3]).toBe(received[2]);
    } finally {
      await tg.deleteWebhook();
      await receiver.close();
    }
  });

  it('redelivers an update the webhook answered non-2xx to, with its chat waiting behind it', async () => {
    await fresh({ webhook: { retryDelayMs: 10 } });
    const { chat, student } = classChat();
    await confirmAll();
    const texts: string[] = [];
    let refusals = 2;
    const receiver = await listen((body, res) => {
      const update = JSON.parse(body) as WireUpdate;
      texts.push('message' in update && 'text' in update.message ? update.message.text : '?');
      res.writeHead(refusals-- > 0 ? 503 : 200).end();
    });
    try {
      await tg.setWebhook(receiver.url);
      api.sendMessage(chat.id, student, 'one');
      api.sendMessage(chat.id, student, 'two');
      await until(() => api.pendingUpdates().length === 0);
      expect(texts).toEqual(['one', 'one', 'one', 'two']);
      expect(api.stats().updates.webhookRetries).toBe(2);
    } finally {
      await tg.deleteWebhook();
      await receiver.close();
    }
  });
});

describe("Telegram's other refusals", () => {
  async function press() {
    const { chat, student } = classChat();
    const sent = await tg.sendMessage(chat.id, 'Agree?', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] },
    });
    return api.pressButton(chat.id, sent.message_id, student, 'yes');
  }
  const TOO_OLD = 'Bad Request: query is too old and response timeout expired or query ID is invalid';

  it('refuses to answer a press older than 15 s by the clock', async () => {
    const onTime = await press();
    advance(15);
    await tg.answerCbQuery(onTime, 'ok');
    const late = await press();
    advance(16);
    expect((await telegramError(tg.answerCbQuery(late, 'too late'))).description).toBe(TOO_OLD);
    expect(api.callbackAnswer(late)).toBeUndefined();
  });

  it('takes another window, or none', async () => {
    await fresh({ refusals: { callbackQuerySeconds: 60 } });
    const id = await press();
    advance(59);
    await tg.answerCbQuery(id);
    await fresh({ refusals: { callbackQuerySeconds: Infinity } });
    const never = await press();
    advance(86400);
    await tg.answerCbQuery(never);
    expect(api.callbackAnswer(never)).toEqual({});
  });

  async function applicant() {
    const c = classChat();
    const link = await tg.createChatInviteLink(c.chat.id, { creates_join_request: true });
    const user = api.createUser({ first_name: 'Elena' });
    api.requestJoin(c.chat.id, user, link.invite_link);
    return { ...c, user };
  }

  it('refuses to approve someone already in the chat, and still lets the request be declined', async () => {
    const { chat, teacher, user } = await applicant();
    api.addMember(chat.id, user, { by: teacher });
    const error = await telegramError(tg.approveChatJoinRequest(chat.id, user.id));
    expect(error.description).toBe('Bad Request: USER_ALREADY_PARTICIPANT');
    expect(api.joinRequests(chat.id).map((r) => r.status)).toEqual(['pending']);
    await tg.declineChatJoinRequest(chat.id, user.id);
    expect(api.member(chat.id, user).status).toBe('member');
    const gone = await telegramError(tg.declineChatJoinRequest(chat.id, user.id));
    expect(gone.description).toBe('Bad Request: HIDE_REQUESTER_MISSING');
  });

  it.each(['USER_KICKED', 'HIDE_REQUESTER_MISSING'] as const)(
    'refuses to approve a banned applicant with %s when told to',
    async (answer) => {
      await fresh({ refusals: { approveBanned: answer } });
      const { chat, user } = await applicant();
      await tg.banChatMember(chat.id, user.id);
      const error = await telegramError(tg.approveChatJoinRequest(chat.id, user.id));
      expect(error.description).toBe(`Bad Request: ${answer}`);
      expect(api.member(chat.id, user).status).toBe('kicked');
    },
  );

  it('admits a banned applicant by default, as before', async () => {
    const { chat, user } = await applicant();
    await tg.banChatMember(chat.id, user.id);
    await tg.approveChatJoinRequest(chat.id, user.id);
    expect(api.member(chat.id, user).status).toBe('member');
  });
});

describe('stats', () => {
  it('reports every kind of fault in one object and resets it', async () => {
    await fresh({ limits: { memberActions: { perChatPerSecond: 1 } } });
    const { chat, student, other } = classChat();
    api.fail('sendMessage', { status: 502 });
    api.fail('sendMessage', { status: 400, description: 'chat not found' });
    api.fail('sendMessage', { timeoutMs: 1, drop: true });
    api.fail('sendMessage', { indeterminate: 500 });
    api.fail('sendMessage', { indeterminate: 'timeout' });
    api.fail('sendMessage', { status: 429, retryAfter: 1 });
    // Six faults, then a retry that comes before the 429's second has passed on the fake's clock.
    for (let i = 0; i < 7; i++) await call('sendMessage', { chat_id: chat.id, text: `try ${i}` });
    await tg.restrictChatMember(chat.id, student.id, { permissions: MUTE });
    await telegramError(tg.restrictChatMember(chat.id, other.id, { permissions: MUTE }));
    api.duplicateUpdates({ rate: 1, seed: 1, hold: {} });
    api.sendMessage(chat.id, other, 'dup me');
    expect(api.stats()).toMatchObject({
      calls: 9,
      failedCalls: 7,
      tooManyRequests: 2,
      rateLimited: 1,
      rateLimitedMemberActions: 1,
      injectedFaults: 6,
      faultsByKind: {
        status5xx: 1,
        status429: 1,
        status4xx: 1,
        timeoutDrop: 1,
        indeterminate5xx: 1,
        indeterminateTimeout: 1,
      },
      indeterminateFaults: { sendMessage: 2 },
      earlyRetries: [{ method: 'sendMessage', refused: false }],
      updates: { duplicated: 1, held: 1, redelivered: 0, webhookRetries: 0 },
    });
    api.resetStats();
    expect(api.stats()).toEqual({
      calls: 0,
      failedCalls: 0,
      tooManyRequests: 0,
      rateLimited: 0,
      rateLimitedMemberActions: 0,
      injectedFaults: 0,
      faultsByKind: {
        status5xx: 0,
        status429: 0,
        status4xx: 0,
        timeoutDrop: 0,
        indeterminate5xx: 0,
        indeterminateTimeout: 0,
      },
      indeterminateFaults: {},
      earlyRetries: [],
      updates: { created: 0, duplicated: 0, held: 1, redelivered: 0, webhookRetries: 0 },
    });
    expect(api.updateCounts()).toEqual({ created: 0, duplicated: 0 });
  });
});

/** A tiny webhook receiver. */
async function listen(
  onRequest: (body: string, res: http.ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => onRequest(body, res));
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
