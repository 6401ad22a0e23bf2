import type { User } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/lib/clock.js';
import type { ChatAddress } from '../../src/messenger/port.js';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import type { Action } from '../../src/outbox/actions.js';
import { transact } from '../../src/outbox/work.js';
import { FakeBotApi } from '../../src/sandbox/telegram/index.js';
import { Harness } from '../support/harness.js';

/**
 * 429 means wait: after `429 Too Many Requests: retry after N` no call of the same method to the same chat
 * may come within N seconds. The fake counts every call that does (and refuses it with another 429), so a
 * bot that retried early, or sent the next message of the queue meanwhile, shows up here.
 */
describe('after a 429 the outbox waits for retry_after', () => {
  let h: Harness;
  let api: FakeBotApi;
  let teacher: User;
  let chatId: number;
  let chat: ChatAddress;

  beforeAll(async () => {
    const clock = new AdjustableClock();
    api = new FakeBotApi({
      clock: () => clock.now(),
      allowedUpdates: [...ALLOWED_UPDATES],
      enforceRetryAfter: true,
    });
    await api.start();
    h = await Harness.start({ api, clock, outbox: { backoffMs: 20, maxBackoffMs: 200, pollMs: 50 } });
    teacher = api.createUser({ first_name: 'Учитель', last_name: 'Терпение' });
    const group = api.createChat({ type: 'supergroup', title: 'Класс 7Т' });
    chatId = group.id;
    chat = { platform: 'telegram', platformChatId: String(chatId) };
    api.addMember(chatId, teacher, { status: 'creator' });
    api.addBot(chatId, {
      by: teacher,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    await h.settle();
  });
  afterAll(async () => {
    await h.stop();
    await api.stop();
  });

  const enqueue = (actions: Action[]) =>
    transact(
      h.db.database.db,
      h.clock,
      async (work) => {
        for (const action of actions) await work.enqueue(action);
      },
      () => h.app.outbox.wake(),
    );

  it('a chat’s messages: the refused one and those behind it wait, then all go in order', async () => {
    api.resetStats();
    const from = api.calls.length;
    api.fail('sendMessage', { status: 429, retryAfter: 2 }, { chatId });
    const texts = [1, 2, 3, 4].map((n) => `Объявление ${n}`);
    await enqueue(texts.map((text) => ({ type: 'send', chat, text })));
    await h.settle();
    expect(
      api
        .botMessages(chatId)
        .slice(-4)
        .map((m) => m.text),
    ).toEqual(texts);
    expect(api.stats().earlyRetries).toEqual([]);
    const sends = api.calls.slice(from).filter((call) => call.method === 'sendMessage');
    const refused = sends.find((call) => call.errorCode === 429);
    const next = sends.find((call) => call.ok);
    expect(refused && next && next.at.getTime() - refused.at.getTime()).toBeGreaterThanOrEqual(2000);
  });

  it('member actions in the chat: a refused mute, then the unmute behind it, wait likewise', async () => {
    const user = api.createUser({ first_name: 'Ученик', last_name: 'Ждущий' });
    api.addMember(chatId, user, { by: teacher });
    await h.settle();
    api.resetStats();
    api.fail('restrictChatMember', { status: 429, retryAfter: 2 }, { chatId });
    const userId = String(user.id);
    await enqueue([
      { type: 'mute', chat, userId },
      { type: 'unmute', chat, userId },
      { type: 'mute', chat, userId },
    ]);
    await h.settle();
    expect(api.member(chatId, user)).toMatchObject({
      status: 'restricted',
      permissions: { can_send_messages: false },
    });
    expect(api.stats().earlyRetries).toEqual([]);
  });
});
