import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.js';
import type { ChatAddress } from '../../src/messenger/port.js';
import type { Action } from '../../src/outbox/actions.js';
import { enqueue } from '../../src/outbox/enqueue.js';
import { transact } from '../../src/outbox/work.js';
import type { Fault } from '../../src/sandbox/telegram/fault-types.js';
import { Harness } from '../support/harness.js';

/**
 * Indeterminate faults, method by method: Telegram performs the call and the answer is lost (a 5xx after
 * the effect, or the connection reset). The outbox cannot know whether it happened and tries again. What
 * must hold: the effect is there, the action is recorded as done (an approve of someone already in, a
 * delete of a message already gone, an edit that changes nothing count as done), a member action leaves
 * the member exactly as one call would, and a message appears at most once more than it should.
 */
describe('an action whose answer is lost', () => {
  let h: Harness;
  let teacher: User;
  let chatId: number;
  let chat: ChatAddress;
  let people = 0;

  beforeAll(async () => {
    h = await Harness.start({ outbox: { backoffMs: 20, maxBackoffMs: 200, pollMs: 50 } });
    teacher = h.api.createUser({ first_name: 'Учитель', last_name: 'Неизвестность' });
    const group = h.api.createChat({ type: 'supergroup', title: 'Класс 5Н' });
    chatId = group.id;
    chat = { platform: 'telegram', platformChatId: String(chatId) };
    h.api.addMember(chatId, teacher, { status: 'creator' });
    h.api.addBot(chatId, {
      by: teacher,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    await h.settle();
  });
  afterAll(() => h.stop());

  /** A member added by the teacher, once the bot has greeted them (the greeting restricts them). */
  const member = async (first: string): Promise<User> => {
    people += 1;
    const user = h.api.createUser({ first_name: first, last_name: `№${people}` });
    h.api.addMember(chatId, user, { by: teacher });
    await h.settle();
    return user;
  };

  /** Enqueues `action` as a use case would, lets the outbox perform it, and returns its row. */
  const perform = async (action: Action) => {
    const db = h.db.database.db;
    // The row's id, to read its outcome: enqueued directly (a use case's actions are written at commit).
    const id = await transact(db, h.clock, (work) => enqueue(work.tx, h.clock, action));
    h.app.outbox.wake();
    await h.settle();
    const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
    return row;
  };

  const faults: Array<[string, Fault]> = [
    ['a 502 after the effect', { indeterminate: 502 }],
    ['a reset connection after the effect', { indeterminate: 'timeout' }],
  ];

  /** Calls of `method` since `from` (about `user` when given), and those of them whose answer was lost. */
  const callsSince = (method: string, from: number, user?: User) => {
    const calls = h.api.calls
      .slice(from)
      .filter((call) => call.method === method && (!user || call.params.user_id === user.id));
    return { all: calls.length, lost: calls.filter((call) => call.lostAnswer).length };
  };

  describe.each(faults)('%s', (_, fault) => {
    it('sendMessage: the message is there, at most one extra copy, the action done', async () => {
      const text = `Собрание в четверг (${JSON.stringify(fault)})`;
      const from = h.api.calls.length;
      h.api.fail('sendMessage', fault, { chatId });
      const row = await perform({ type: 'send', chat, text });
      expect(row?.status).toBe('done');
      const copies = h.api.botMessages(chatId).filter((m) => m.text === text).length;
      const calls = callsSince('sendMessage', from);
      expect(calls.lost).toBe(1);
      // One copy per lost answer at most: the retry is the only extra one, and it is counted, not hidden.
      expect(copies).toBeGreaterThanOrEqual(1);
      expect(copies - 1).toBeLessThanOrEqual(calls.lost);
      expect(copies).toBe(calls.all);
    });

    it('editMessageText: the text is the new one and the repeat ("not modified") counts as done', async () => {
      const sent = await perform({ type: 'send', chat, text: 'Черновик' });
      const messageId = String((sent?.result as { messageId?: string } | undefined)?.messageId);
      const from = h.api.calls.length;
      h.api.fail('editMessageText', fault, { chatId });
      const row = await perform({ type: 'edit', chat, messageId, text: `Исправлено ${fault}` });
      expect(row?.status).toBe('done');
      expect(h.api.messages(chatId).find((m) => String(m.message_id) === messageId)?.text).toBe(
        `Исправлено ${fault}`,
      );
      expect(callsSince('editMessageText', from)).toEqual({ all: 2, lost: 1 });
    });

    it('deleteMessage: the message is gone and the repeat ("not found") counts as done', async () => {
      const message = h.api.sendMessage(chatId, teacher, `Лишнее сообщение ${JSON.stringify(fault)}`);
      await h.settle();
      const from = h.api.calls.length;
      h.api.fail('deleteMessage', fault, { chatId });
      const row = await perform({ type: 'delete', chat, messageId: String(message.message_id) });
      expect(row?.status).toBe('done');
      expect(h.api.messages(chatId).find((m) => m.message_id === message.message_id)?.deleted).toBe(true);
      expect(callsSince('deleteMessage', from)).toEqual({ all: 2, lost: 1 });
    });

    it('restrictChatMember: muted and unmuted as by one call each', async () => {
      const user = await member('Молчун');
      h.api.fail('restrictChatMember', fault, { chatId });
      const from = h.api.calls.length;
      const muted = await perform({ type: 'mute', chat, userId: String(user.id) });
      expect(muted?.status).toBe('done');
      expect(h.api.member(chatId, user)).toMatchObject({
        status: 'restricted',
        permissions: { can_send_messages: false },
      });
      expect(callsSince('restrictChatMember', from, user)).toEqual({ all: 2, lost: 1 });

      h.api.fail('restrictChatMember', fault, { chatId });
      const unmuted = await perform({ type: 'unmute', chat, userId: String(user.id) });
      expect(unmuted?.status).toBe('done');
      const after = h.api.member(chatId, user);
      expect(after.status === 'member' || after.permissions?.can_send_messages === true).toBe(true);
    });

    it('banChatMember and unbanChatMember: banned, then free to come back, each once in effect', async () => {
      const user = await member('Нарушитель');
      h.api.fail('banChatMember', fault, { chatId });
      const from = h.api.calls.length;
      const banned = await perform({ type: 'ban', chat, userId: String(user.id) });
      expect(banned?.status).toBe('done');
      expect(h.api.member(chatId, user).status).toBe('kicked');
      expect(callsSince('banChatMember', from, user)).toEqual({ all: 2, lost: 1 });

      h.api.fail('unbanChatMember', fault, { chatId });
      const unbanned = await perform({ type: 'unban', chat, userId: String(user.id) });
      expect(unbanned?.status).toBe('done');
      // Unbanned, and not pulled back into the chat by the repeated unban.
      expect(h.api.member(chatId, user).status).toBe('left');
      expect(callsSince('unbanChatMember', from, user)).toEqual({ all: 2, lost: 1 });
    });

    const applicant = async (first: string) => {
      const link = await perform({ type: 'create_invite', chat, name: `заявки ${first}` });
      const url = (link?.result as { url?: string } | undefined)?.url ?? '';
      people += 1;
      const user = h.api.createUser({ first_name: first, last_name: `№${people}` });
      h.api.requestJoin(chatId, user, url);
      await h.settle();
      return user;
    };

    it('approveChatJoinRequest: in the chat, and the repeat (already a participant) counts as done', async () => {
      const user = await applicant('Заявитель');
      h.api.fail('approveChatJoinRequest', fault, { chatId });
      const from = h.api.calls.length;
      const row = await perform({ type: 'approve_join', chat, userId: String(user.id) });
      expect(row?.status).toBe('done');
      // In the chat (the rules gate may keep them read-only until they accept).
      expect(h.api.member(chatId, user).is_member).toBe(true);
      expect(callsSince('approveChatJoinRequest', from, user)).toEqual({ all: 2, lost: 1 });
    });

    it('declineChatJoinRequest: declined, and the repeat (no request left) counts as done', async () => {
      const user = await applicant('Отказник');
      h.api.fail('declineChatJoinRequest', fault, { chatId });
      const from = h.api.calls.length;
      const row = await perform({ type: 'decline_join', chat, userId: String(user.id) });
      expect(row?.status).toBe('done');
      expect(h.api.member(chatId, user).is_member).toBe(false);
      expect(h.api.joinRequests(chatId).find((r) => r.user.id === user.id)?.status).toBe('declined');
      expect(callsSince('declineChatJoinRequest', from, user)).toEqual({ all: 2, lost: 1 });
    });
  });
});
