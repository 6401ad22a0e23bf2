import fc from 'fast-check';
import type { Update } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../support/fake-bot-api/index.js';
import { Harness } from '../support/harness.js';

/**
 * Property-based fuzzing of what Telegram can send: any text, any command with any arguments, replies
 * to anyone, button presses with any data, member changes and join requests, in known and unknown chats.
 * The bot must never throw, never leave a rejected promise, and every call it makes must be a
 * well-formed Bot API call.
 */

const CASES = Number(process.env.FUZZ_CASES ?? 2000);

/** Failures that depend on the fake's state (unknown ids made up by the fuzzer), not on a malformed call. */
const STATE_ERRORS = [
  /query is too old/,
  /message to (edit|delete) not found/,
  /message can't be (deleted|edited)/,
  /message is not modified/,
  /chat not found/,
  /user not found/,
  /bot can't initiate conversation/,
  /bot is not a member/,
  /bot was kicked/,
  /not enough rights/,
  /user is an administrator/,
  /can't remove chat owner/,
  /HIDE_REQUESTER_MISSING/,
  /USER_ALREADY_PARTICIPANT/,
  /PARTICIPANT_ID_INVALID/,
  /method is available only for supergroups/,
  /have no rights to send a message/,
  /CHAT_ADMIN_REQUIRED/,
  /USER_NOT_PARTICIPANT/,
  /member not found/,
  /can't restrict self/,
];

function wellFormed(call: CallRecord): string | undefined {
  const p = call.params;
  const isId = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value);
  if ('chat_id' in p && !isId(p.chat_id)) return `${call.method}: chat_id ${String(p.chat_id)}`;
  if ('user_id' in p && !isId(p.user_id)) return `${call.method}: user_id ${String(p.user_id)}`;
  if (call.method === 'sendMessage' || call.method === 'editMessageText') {
    const text = p.text;
    if (typeof text !== 'string' || text.trim() === '' || text.length > 4096)
      return `${call.method}: text of ${String(text).length}`;
  }
  const markup = p.reply_markup as
    | { inline_keyboard?: Array<Array<{ callback_data?: string; text?: string }>> }
    | undefined;
  for (const row of markup?.inline_keyboard ?? []) {
    for (const button of row) {
      if (!button.text) return `${call.method}: a button without text`;
      if (button.callback_data !== undefined && Buffer.byteLength(button.callback_data) > 64)
        return `${call.method}: callback_data too long`;
    }
  }
  if ('until_date' in p && p.until_date !== undefined) {
    const seconds = Number(p.until_date) - call.at.getTime() / 1000;
    if (seconds < 30 || seconds > 366 * 24 * 3600)
      return `${call.method}: until_date ${seconds}s away means forever`;
  }
  if (call.method === 'unbanChatMember' && p.only_if_banned !== true)
    return 'unbanChatMember without only_if_banned';
  if (!call.ok && !STATE_ERRORS.some((pattern) => pattern.test(call.description ?? ''))) {
    return `${call.method} refused: ${call.description}`;
  }
  return undefined;
}

describe('fuzzing updates and commands', () => {
  let h: Harness;
  let chatId: number;
  let teacherId: number;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    h = await Harness.start();
    const teacher = h.api.createUser({ first_name: 'Учитель' });
    teacherId = teacher.id;
    const chat = h.api.createChat({ type: 'supergroup', title: 'Fuzz' });
    chatId = chat.id;
    h.api.addMember(chat.id, teacher, { status: 'creator' });
    h.api.addBot(chat.id, {
      by: teacher,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    await h.settle();
    h.api.clearCalls();
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await h?.stop();
  });

  it(`survives ${CASES} random sequences of updates and only makes well-formed calls`, async () => {
    let updateId = 10_000_000;
    const botId = h.api.bot.id;
    const ids = fc.oneof(
      fc.constant(teacherId),
      fc.constant(botId),
      fc.constant(1_087_968_824),
      fc.integer({ min: 1, max: 40 }).map((n) => 500_000 + n),
    );
    const user = fc.record({
      id: ids,
      is_bot: fc.boolean(),
      first_name: fc.string({ maxLength: 40 }),
      last_name: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      username: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{4,20}$/), { nil: undefined }),
      language_code: fc.option(fc.constantFrom('ru', 'en', 'de', ''), { nil: undefined }),
    });
    const chats = fc.oneof(
      fc.constant(() => ({ id: chatId, type: 'supergroup', title: 'Fuzz' })),
      fc
        .integer({ min: 1, max: 3 })
        .map((n) => () => ({ id: -1009_000_000 - n, type: 'supergroup', title: `Unknown ${n}` })),
      fc.integer({ min: 1, max: 3 }).map((n) => () => ({ id: -900 - n, type: 'group', title: `Basic ${n}` })),
    );
    const commands = [
      'strike',
      'strikes',
      'unstrike',
      'unblock',
      'apologize',
      'rules',
      'setrules',
      'settings',
      'help',
      'start',
      'del',
      'log',
      'report',
      'invite',
      'stats',
      'link',
      'nonsense',
    ];
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .tuple(
          fc.constantFrom(...commands),
          fc.constantFrom('', '@class_moderator_bot', '@other_bot'),
          fc.oneof(
            fc.string({ maxLength: 60 }),
            fc.integer().map(String),
            fc.oneof(
              { weight: 9, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
              { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 4000, maxLength: 5000 }) },
            ),
            fc.constantFrom(
              '1',
              '2 грубость',
              '99',
              '-1',
              'confirm',
              'strike_limit 0',
              'language en',
              'class 7Б',
              'school x',
              '@user',
              '123456',
              'student:S1',
              '/start',
            ),
          ),
        )
        .map(([command, addressee, args]) => `/${command}${addressee} ${args}`),
    );
    const message = fc.record({
      chat: chats,
      from: user,
      text,
      sender: fc.constantFrom('user', 'anonymous', 'channel'),
      reply: fc.option(
        fc.record({ from: user, text: fc.string({ maxLength: 50 }), id: fc.integer({ min: 1, max: 500 }) }),
        { nil: undefined },
      ),
    });
    const update = fc.oneof(
      { weight: 6, arbitrary: message.map((m) => ({ kind: 'message' as const, m })) },
      {
        weight: 2,
        arbitrary: fc
          .record({
            from: user,
            chat: chats,
            data: fc.oneof(
              fc.string({ maxLength: 64 }),
              fc.constantFrom('g:r:1', 'g:n:1', 'g:c:2', 'v:1:o', 'v:1:n', 'a:1:1', 'g:n:', 'v::', 'a:x:y'),
            ),
            id: fc.integer({ min: 1, max: 500 }),
          })
          .map((b) => ({ kind: 'button' as const, b })),
      },
      {
        weight: 1,
        arbitrary: fc
          .record({
            member: user,
            by: user,
            chat: chats,
            from: fc.constantFrom('left', 'member', 'administrator', 'restricted', 'kicked'),
            to: fc.constantFrom('left', 'member', 'administrator', 'restricted', 'kicked', 'creator'),
          })
          .map((c) => ({ kind: 'member' as const, c })),
      },
      { weight: 1, arbitrary: fc.record({ user, chat: chats }).map((j) => ({ kind: 'join' as const, j })) },
    );

    const toUpdate = (
      u: fc.Arbitrary<unknown> extends never ? never : { kind: string } & Record<string, unknown>,
    ): Update => {
      updateId += 1;
      const date = Math.floor(h.clock.now().getTime() / 1000);
      const statusOf = (status: string, who: Record<string, unknown>) => ({
        status,
        user: who,
        ...(status === 'restricted' ? { is_member: true, until_date: 0, can_send_messages: false } : {}),
        ...(status === 'kicked' ? { until_date: 0 } : {}),
        ...(status === 'administrator'
          ? {
              can_restrict_members: true,
              can_delete_messages: true,
              can_invite_users: true,
              can_be_edited: false,
              is_anonymous: false,
              can_manage_chat: true,
              can_change_info: false,
              can_promote_members: false,
              can_manage_video_chats: false,
              can_post_stories: false,
              can_edit_stories: false,
              can_delete_stories: false,
            }
          : {}),
        ...(status === 'creator' ? { is_anonymous: false } : {}),
      });
      if (u.kind === 'message') {
        const m = u.m as {
          chat: () => Record<string, unknown>;
          from: Record<string, unknown>;
          text: string;
          sender: string;
          reply?: { from: Record<string, unknown>; text: string; id: number };
        };
        const chat = m.chat();
        return {
          update_id: updateId,
          message: {
            message_id: updateId % 100_000,
            date,
            chat,
            from: m.from,
            ...(m.sender === 'anonymous'
              ? { sender_chat: chat }
              : m.sender === 'channel'
                ? { sender_chat: { id: -100777, type: 'channel', title: 'Канал' } }
                : {}),
            text: m.text,
            ...(m.text.startsWith('/')
              ? {
                  entities: [
                    {
                      type: 'bot_command',
                      offset: 0,
                      length: Math.max(1, m.text.split(' ')[0]?.length ?? 1),
                    },
                  ],
                }
              : {}),
            ...(m.reply
              ? {
                  reply_to_message: {
                    message_id: m.reply.id,
                    date,
                    chat,
                    from: m.reply.from,
                    text: m.reply.text,
                  },
                }
              : {}),
          },
        } as unknown as Update;
      }
      if (u.kind === 'button') {
        const b = u.b as {
          from: Record<string, unknown>;
          chat: () => Record<string, unknown>;
          data: string;
          id: number;
        };
        return {
          update_id: updateId,
          callback_query: {
            id: `fuzz${updateId}`,
            from: b.from,
            chat_instance: 'x',
            data: b.data,
            message: { message_id: b.id, date, chat: b.chat(), from: h.api.bot, text: 'кнопки' },
          },
        } as unknown as Update;
      }
      if (u.kind === 'member') {
        const c = u.c as {
          member: Record<string, unknown>;
          by: Record<string, unknown>;
          chat: () => Record<string, unknown>;
          from: string;
          to: string;
        };
        const mine = c.member.id === botId;
        return {
          update_id: updateId,
          [mine ? 'my_chat_member' : 'chat_member']: {
            chat: c.chat(),
            from: c.by,
            date,
            old_chat_member: statusOf(c.from, c.member),
            new_chat_member: statusOf(c.to, c.member),
          },
        } as unknown as Update;
      }
      const j = u.j as { user: Record<string, unknown>; chat: () => Record<string, unknown> };
      return {
        update_id: updateId,
        chat_join_request: { chat: j.chat(), from: j.user, user_chat_id: j.user.id, date },
      } as unknown as Update;
    };

    let handled = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(update, { minLength: 1, maxLength: 4 }), async (sequence) => {
        for (const item of sequence) {
          await h.bot.updates!.dispatch(toUpdate(item as never));
          handled += 1;
        }
      }),
      { numRuns: CASES, seed: 20261129 },
    );
    await h.settle();
    const problems = h.api.calls
      .map(wellFormed)
      .filter((problem): problem is string => problem !== undefined);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(handled).toBeGreaterThan(CASES);
    console.log(`fuzz: ${CASES} cases, ${handled} updates, ${h.api.calls.length} Bot API calls checked`);
  });
});
