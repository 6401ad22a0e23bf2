import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptances, outbox } from '../../src/db/schema.js';
import { AdjustableClock } from '../../src/lib/clock.js';
import type { ChatAddress } from '../../src/messenger/port.js';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import type { Action } from '../../src/outbox/actions.js';
import { enqueue } from '../../src/outbox/enqueue.js';
import { transact } from '../../src/outbox/work.js';
import type { Refusals } from '../../src/sandbox/telegram/fault-types.js';
import { FakeBotApi } from '../../src/sandbox/telegram/index.js';
import { Harness } from '../support/harness.js';
import { classChat } from '../support/school.js';

/** Telegram's own refusals, met by the bot: each leaves people where they should be, and is not retried. */
describe('Telegram refuses', () => {
  let h: Harness | undefined;
  let api: FakeBotApi | undefined;
  afterEach(async () => {
    await h?.stop();
    await api?.stop();
    h = undefined;
    api = undefined;
  });

  async function start(refusals: Refusals = {}) {
    const clock = new AdjustableClock();
    api = new FakeBotApi({ clock: () => clock.now(), allowedUpdates: [...ALLOWED_UPDATES], refusals });
    await api.start();
    h = await Harness.start({ api, clock, outbox: { backoffMs: 20, maxBackoffMs: 200, pollMs: 50 } });
    return { h, api };
  }

  /** Enqueues `action` as a use case would, lets the outbox perform it, and returns its row. */
  async function perform(h: Harness, action: Action) {
    const db = h.db.database.db;
    // The row's id, to read its outcome: enqueued directly (a use case's actions are written at commit).
    const id = await transact(db, h.clock, (work) => enqueue(work.tx, h.clock, action));
    h.app.outbox.wake();
    await h.settle();
    const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
    return row;
  }

  it('an answer to a press that came too late ("query is too old"): the press still takes effect, once', async () => {
    const { h, api } = await start({ callbackQuerySeconds: 15 });
    const c = await classChat(h);
    const guest = api.createUser({ first_name: 'Гость', last_name: 'Опоздавший' });
    api.addMember(c.chatId, guest, { by: c.teacher });
    await h.settle();
    const greeting = api.botMessages(c.chatId).find((m) => m.text?.includes('Гость Опоздавший'));
    const button = greeting?.reply_markup?.inline_keyboard[0]?.[0];
    if (!greeting || !button || !('callback_data' in button)) throw new Error('no greeting with a button');
    const press = api.pressButton(c.chatId, greeting.message_id, guest, button.callback_data ?? '');
    // The bot gets to the press only after Telegram's window for an answer has closed.
    h.clock.advance(20_000);
    await h.settle();
    const answers = api.callsTo('answerCallbackQuery');
    expect(answers.at(-1)?.description).toMatch(/query is too old/);
    expect(answers.filter((call) => call.params.callback_query_id === press)).toHaveLength(1);
    expect(api.callbackAnswer(press)).toBeUndefined();
    const accepted = await h.db.database.db.select().from(acceptances);
    expect(accepted).toHaveLength(1);
    const member = api.member(c.chatId, guest);
    expect(member.status === 'member' || member.permissions?.can_send_messages === true).toBe(true);
  });

  async function applicantInChat(h: Harness, api: FakeBotApi) {
    const teacher = api.createUser({ first_name: 'Учитель', last_name: 'Заявок' });
    const group = api.createChat({ type: 'supergroup', title: 'Класс 9З' });
    api.addMember(group.id, teacher, { status: 'creator' });
    api.addBot(group.id, {
      by: teacher,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    await h.settle();
    const chat: ChatAddress = { platform: 'telegram', platformChatId: String(group.id) };
    const link = await perform(h, { type: 'create_invite', chat, name: 'заявки' });
    const user: User = api.createUser({ first_name: 'Заявитель', last_name: 'Спорный' });
    api.requestJoin(group.id, user, (link?.result as { url?: string } | undefined)?.url ?? '');
    await h.settle();
    return { chatId: group.id, chat, user, teacher };
  }

  it.each(['USER_KICKED', 'HIDE_REQUESTER_MISSING'] as const)(
    'approving the join request of someone banned meanwhile (%s): they stay out, no retries',
    async (answer) => {
      const { h, api } = await start({ approveBanned: answer });
      const { chatId, chat, user } = await applicantInChat(h, api);
      await perform(h, { type: 'ban', chat, userId: String(user.id) });
      const row = await perform(h, { type: 'approve_join', chat, userId: String(user.id) });
      expect(api.member(chatId, user).status).toBe('kicked');
      expect(row?.status).toBe('failed');
      expect(row?.attempts).toBe(1);
    },
  );

  it('approving the join request of someone already in (USER_ALREADY_PARTICIPANT) counts as done', async () => {
    const { h, api } = await start({ approveParticipant: true });
    const { chatId, chat, user, teacher } = await applicantInChat(h, api);
    api.addMember(chatId, user, { by: teacher });
    await h.settle();
    const row = await perform(h, { type: 'approve_join', chat, userId: String(user.id) });
    expect(api.callsTo('approveChatJoinRequest').at(-1)?.description).toMatch(/USER_ALREADY_PARTICIPANT/);
    expect(row?.status).toBe('done');
    expect(api.member(chatId, user).is_member).toBe(true);
  });
});
