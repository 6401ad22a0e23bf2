import { TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import { describe, expect, it } from 'vitest';
import { toMessengerError } from '../../../src/messenger/telegram/errors.js';
import { parseCommand, toEvent } from '../../../src/messenger/telegram/updates.js';

const group = { id: -1001234567890, type: 'supergroup' as const, title: '7Б родители' };
const anna = {
  id: 1001,
  is_bot: false,
  first_name: 'Анна',
  last_name: 'Петрова',
  username: 'anna',
  language_code: 'ru',
};
const boris = { id: 1002, is_bot: false, first_name: 'Борис' };
const now = new Date('2026-11-29T10:00:00Z');
const date = 1_795_000_000;

function update(body: Record<string, unknown>): Update {
  return { update_id: 77, ...body } as unknown as Update;
}

describe('parseCommand', () => {
  it.each([
    ['/rules', 'my_bot', { name: 'rules', args: '' }],
    ['/Strike 2 грубость', 'my_bot', { name: 'strike', args: '2 грубость' }],
    ['/strike@my_bot 2', 'my_bot', { name: 'strike', args: '2' }],
    ['/strike@MY_BOT 2', 'my_bot', { name: 'strike', args: '2' }],
    ['/strike@other_bot 2', 'my_bot', undefined],
    ['/setrules\n1. Be nice\n2. No ads', 'my_bot', { name: 'setrules', args: '1. Be nice\n2. No ads' }],
    ['/rules, please', 'my_bot', undefined],
    ['not a /command', 'my_bot', undefined],
    ['/', 'my_bot', undefined],
  ])('%j → %j', (text, bot, expected) => {
    expect(parseCommand(text, bot)).toEqual(expected);
  });
});

describe('toEvent', () => {
  it.each([
    ['forward_origin', { forward_origin: { type: 'user', date, sender_user: boris } }],
    ['forward_date (before Bot API 7.0)', { forward_date: date, forward_from: boris }],
  ])('never takes a forwarded message for a command (%s)', (_how, forward) => {
    const event = toEvent(
      update({
        message: {
          message_id: 11,
          date,
          chat: group,
          from: anna,
          text: '/strike 2',
          entities: [{ type: 'bot_command', offset: 0, length: 7 }],
          ...forward,
        },
      }),
      'my_bot',
      now,
    );
    expect(event).toMatchObject({ kind: 'message', text: '/strike 2' });
    expect(event && 'command' in event ? event.command : undefined).toBeUndefined();
  });

  it('maps a reply with a command, keeping the replied message', () => {
    const event = toEvent(
      update({
        message: {
          message_id: 10,
          date,
          chat: group,
          from: anna,
          text: '/strike 2 грубость',
          entities: [{ type: 'bot_command', offset: 0, length: 7 }],
          reply_to_message: { message_id: 9, date, chat: group, from: boris, text: 'Грубое сообщение' },
        },
      }),
      'my_bot',
      now,
    );
    expect(event).toEqual({
      updateKey: '77',
      at: new Date(date * 1000),
      kind: 'message',
      chat: {
        platform: 'telegram',
        platformChatId: '-1001234567890',
        type: 'supergroup',
        title: '7Б родители',
      },
      sender: {
        kind: 'user',
        user: {
          userId: '1001',
          firstName: 'Анна',
          lastName: 'Петрова',
          username: 'anna',
          isBot: false,
          languageCode: 'ru',
        },
      },
      messageId: '10',
      text: '/strike 2 грубость',
      command: { name: 'strike', args: '2 грубость' },
      replyTo: {
        messageId: '9',
        text: 'Грубое сообщение',
        at: new Date(date * 1000),
        sender: { kind: 'user', user: { userId: '1002', firstName: 'Борис', isBot: false } },
      },
    });
  });

  it('treats a message sent as the chat itself as an anonymous administrator', () => {
    const event = toEvent(
      update({
        message: {
          message_id: 11,
          date,
          chat: group,
          from: { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
          sender_chat: group,
          text: '/rules',
        },
      }),
      'my_bot',
      now,
    );
    expect(event).toMatchObject({
      kind: 'message',
      sender: { kind: 'anonymous_admin' },
      command: { name: 'rules' },
    });
  });

  it('maps new_chat_members added by an admin and joins by link', () => {
    const added = toEvent(
      update({
        message: {
          message_id: 12,
          date,
          chat: group,
          from: anna,
          new_chat_members: [boris, { ...boris, id: 1003 }],
        },
      }),
      'my_bot',
      now,
    );
    expect(added).toMatchObject({
      kind: 'members_joined',
      via: 'added',
      by: { userId: '1001' },
      messageId: '12',
    });
    expect(added && 'members' in added && added.members.map((m) => m.userId)).toEqual(['1002', '1003']);
    const byLink = toEvent(
      update({ message: { message_id: 13, date, chat: group, from: boris, new_chat_members: [boris] } }),
      'my_bot',
      now,
    );
    expect(byLink).toMatchObject({ kind: 'members_joined', via: 'link' });
    expect(byLink).not.toHaveProperty('by');
  });

  it('maps chat_member joins, approvals from join requests, departures, kicks and promotions', () => {
    const change = (
      from: { id: number; is_bot: boolean; first_name: string },
      oldStatus: string,
      newStatus: string,
      extra = {},
    ) =>
      toEvent(
        update({
          chat_member: {
            chat: group,
            from,
            date,
            old_chat_member: { status: oldStatus, user: boris },
            new_chat_member: {
              status: newStatus,
              user: boris,
              ...(newStatus === 'kicked' ? { until_date: 0 } : {}),
            },
            ...extra,
          },
        }),
        'my_bot',
        now,
      );
    expect(change(boris, 'left', 'member')).toMatchObject({ kind: 'members_joined', via: 'link' });
    expect(change(anna, 'left', 'member')).toMatchObject({
      kind: 'members_joined',
      via: 'added',
      by: { userId: '1001' },
    });
    expect(change(boris, 'left', 'member', { via_join_request: true })).toMatchObject({
      kind: 'members_joined',
      via: 'request',
    });
    expect(change(boris, 'member', 'left')).toMatchObject({ kind: 'member_left', status: 'left' });
    expect(change(anna, 'member', 'kicked')).toMatchObject({
      kind: 'member_left',
      status: 'kicked',
      by: { userId: '1001' },
    });
    expect(change(anna, 'member', 'administrator')).toMatchObject({
      kind: 'member_status',
      previous: 'member',
      status: 'administrator',
    });
  });

  it("maps the bot's own membership with its rights", () => {
    const event = toEvent(
      update({
        my_chat_member: {
          chat: group,
          from: anna,
          date,
          old_chat_member: { status: 'left', user: { id: 5, is_bot: true, first_name: 'Bot' } },
          new_chat_member: {
            status: 'administrator',
            user: { id: 5, is_bot: true, first_name: 'Bot' },
            can_restrict_members: true,
            can_delete_messages: false,
            can_invite_users: true,
          },
        },
      }),
      'my_bot',
      now,
    );
    expect(event).toMatchObject({
      kind: 'bot_membership',
      previous: 'left',
      status: 'administrator',
      rights: { canRestrictMembers: true, canDeleteMessages: false, canInviteUsers: true },
    });
  });

  it('maps migration notices from both sides to the same move', () => {
    const fromOld = toEvent(
      update({
        message: {
          message_id: 1,
          date,
          chat: { id: -555, type: 'group', title: 'x' },
          from: anna,
          migrate_to_chat_id: -100555,
        },
      }),
      'my_bot',
      now,
    );
    const fromNew = toEvent(
      update({
        message: {
          message_id: 1,
          date,
          chat: { id: -100555, type: 'supergroup', title: 'x' },
          from: anna,
          migrate_from_chat_id: -555,
        },
      }),
      'my_bot',
      now,
    );
    expect(fromOld).toMatchObject({ kind: 'chat_migrated', fromChatId: '-555', toChatId: '-100555' });
    expect(fromNew).toMatchObject({ kind: 'chat_migrated', fromChatId: '-555', toChatId: '-100555' });
  });

  it('maps button presses and join requests', () => {
    expect(
      toEvent(
        update({
          callback_query: {
            id: 'cb1',
            from: boris,
            chat_instance: 'ci',
            data: 'vote:1:no',
            message: {
              message_id: 40,
              date,
              chat: group,
              from: { id: 5, is_bot: true, first_name: 'Bot' },
              text: 'Vote',
            },
          },
        }),
        'my_bot',
        now,
      ),
    ).toMatchObject({ kind: 'button', pressId: 'cb1', data: 'vote:1:no', messageId: '40', at: now });
    expect(
      toEvent(
        update({
          chat_join_request: {
            chat: group,
            from: boris,
            user_chat_id: 1002,
            date,
            invite_link: {
              invite_link: 'https://t.me/+abc',
              creator: anna,
              creates_join_request: true,
              is_primary: false,
              is_revoked: false,
            },
          },
        }),
        'my_bot',
        now,
      ),
    ).toMatchObject({
      kind: 'join_request',
      privateChat: { platform: 'telegram', platformChatId: '1002' },
      inviteLink: 'https://t.me/+abc',
    });
  });

  it('ignores update types the core does not act on', () => {
    expect(
      toEvent(update({ edited_message: { message_id: 1, date, chat: group, text: 'x' } }), 'my_bot', now),
    ).toBeUndefined();
  });
});

describe('toMessengerError', () => {
  const telegramError = (error_code: number, description: string, parameters?: Record<string, number>) =>
    new TelegramError({ ok: false, error_code, description, ...(parameters ? { parameters } : {}) } as never);

  it.each([
    [telegramError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }), 'RATE_LIMITED', true],
    [telegramError(502, 'Bad Gateway'), 'SERVER', true],
    [
      telegramError(400, 'Bad Request: not enough rights to restrict/unrestrict chat member'),
      'NOT_ENOUGH_RIGHTS',
      false,
    ],
    [telegramError(400, 'Bad Request: message to delete not found'), 'MESSAGE_GONE', false],
    [
      telegramError(400, 'Bad Request: message is not modified: specified new message content is the same'),
      'MESSAGE_UNCHANGED',
      false,
    ],
    [telegramError(400, 'Bad Request: user is an administrator of the chat'), 'USER_IS_ADMIN', false],
    [telegramError(400, 'Bad Request: method is available only for supergroups'), 'NOT_SUPERGROUP', false],
    [
      telegramError(403, "Forbidden: bot can't initiate conversation with a user"),
      'CANNOT_MESSAGE_USER',
      false,
    ],
    [telegramError(403, 'Forbidden: bot was kicked from the supergroup chat'), 'BOT_NOT_IN_CHAT', false],
    [telegramError(400, 'Bad Request: chat not found'), 'CHAT_NOT_FOUND', false],
    [telegramError(400, 'Bad Request: HIDE_REQUESTER_MISSING'), 'NO_JOIN_REQUEST', false],
    [
      telegramError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid'),
      'CALLBACK_EXPIRED',
      false,
    ],
    [telegramError(401, 'Unauthorized'), 'UNAUTHORIZED', false],
    [telegramError(400, 'Bad Request: something new'), 'BAD_REQUEST', false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'NETWORK', true],
    [Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), 'NETWORK', true],
  ])('%s → %s', (error, code, retryable) => {
    const mapped = toMessengerError(error, 'someMethod');
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
  });

  it('keeps retry_after and the chat a group migrated to', () => {
    expect(
      toMessengerError(telegramError(429, 'Too Many Requests', { retry_after: 12 }), 'sendMessage').details,
    ).toEqual({
      retryAfterSeconds: 12,
    });
    const migrated = toMessengerError(
      telegramError(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: -1009,
      }),
      'sendMessage',
    );
    expect(migrated.code).toBe('CHAT_MIGRATED');
    expect(migrated.details.migratedToChatId).toBe('-1009');
  });
});
