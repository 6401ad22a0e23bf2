import { MaxError } from '@maxhub/max-bot-api';
import { describe, expect, it } from 'vitest';
import { toMessengerError } from '../../../src/messenger/max/errors.js';
import { type MappingContext, parseCommand, toEvent, updateKey } from '../../../src/messenger/max/updates.js';

const context: MappingContext = {
  botId: 900,
  titles: new Map([[-70, '7Б']]),
  users: new Map([[900, { userId: '900', firstName: 'Бот', username: 'class_bot', isBot: true }]]),
  now: new Date(0),
};
const anna = { user_id: 11, first_name: 'Анна', last_name: 'Петрова', is_bot: false };
const maria = { user_id: 12, first_name: 'Мария', is_bot: false };

function message(text: string, extra: Record<string, unknown> = {}) {
  return {
    update_type: 'message_created',
    timestamp: 1000,
    message: {
      sender: maria,
      recipient: { chat_id: -70, chat_type: 'chat' },
      timestamp: 1000,
      body: { mid: 'mid.2', seq: 2, text },
      ...extra,
    },
  };
}

describe('MAX updates as the core’s events', () => {
  it('a reply with a command addressed to this bot', () => {
    const event = toEvent(
      message('/strike@class_bot 2 реклама', {
        link: { type: 'reply', sender: anna, message: { mid: 'mid.1', text: 'Пироги!' } },
      }),
      context,
    );
    expect(event).toMatchObject({
      kind: 'message',
      updateKey: 'message_created:mid.2',
      chat: { platform: 'max', platformChatId: '-70', type: 'supergroup', title: '7Б' },
      messageId: 'mid.2',
      command: { name: 'strike', args: '2 реклама' },
      replyTo: { messageId: 'mid.1', text: 'Пироги!', sender: { kind: 'user', user: { userId: '11' } } },
    });
  });

  it('a command for another bot is not a command', () => {
    expect(parseCommand('/strike@other_bot 1', 'class_bot')).toBeUndefined();
    expect(parseCommand('/Rules', 'class_bot')).toEqual({ name: 'rules', args: '' });
  });

  it('a private message is addressed by the person’s user id', () => {
    const update = message('/apologize Простите');
    update.message.recipient = { chat_id: 555, chat_type: 'dialog', user_id: 12 } as never;
    expect(toEvent(update, context)).toMatchObject({
      chat: { platformChatId: '12', type: 'private' },
      command: { name: 'apologize', args: 'Простите' },
    });
  });

  it('joins by link and by someone, removals by an admin and on one’s own', () => {
    const base = { timestamp: 5, chat_id: -70, user: anna, is_channel: false };
    expect(toEvent({ update_type: 'user_added', ...base, inviter_id: null }, context)).toMatchObject({
      kind: 'members_joined',
      via: 'link',
      members: [{ userId: '11' }],
    });
    expect(toEvent({ update_type: 'user_added', ...base, inviter_id: 12 }, context)).toMatchObject({
      via: 'added',
      by: { userId: '12' },
    });
    expect(toEvent({ update_type: 'user_removed', ...base, admin_id: 12 }, context)).toMatchObject({
      kind: 'member_left',
      status: 'kicked',
    });
    expect(toEvent({ update_type: 'user_removed', ...base, admin_id: null }, context)).toMatchObject({
      status: 'left',
    });
  });

  it('the bot’s own membership, with the rights its permissions give', () => {
    expect(
      toEvent(
        { update_type: 'bot_added', timestamp: 5, chat_id: -70, user: maria },
        { ...context, botPermissions: ['read_all_messages', 'delete'] },
      ),
    ).toMatchObject({
      kind: 'bot_membership',
      status: 'administrator',
      rights: { canDeleteMessages: true, canRestrictMembers: false, canInviteUsers: false },
    });
    expect(
      toEvent({ update_type: 'bot_removed', timestamp: 5, chat_id: -70, user: maria }, context),
    ).toMatchObject({ kind: 'bot_membership', status: 'kicked' });
  });

  it('bot_started with a payload is /start with it', () => {
    expect(
      toEvent(
        { update_type: 'bot_started', timestamp: 7, chat_id: 555, user: anna, payload: 'inv_abc' },
        context,
      ),
    ).toMatchObject({
      kind: 'message',
      chat: { type: 'private', platformChatId: '11' },
      command: { name: 'start', args: 'inv_abc' },
    });
  });

  it('a button press; none for a press on a deleted message or one without a payload', () => {
    const press = {
      update_type: 'message_callback',
      timestamp: 9,
      callback: { callback_id: 'cb1', payload: 'gate:accept:1', user: anna },
      message: message('Добро пожаловать').message,
    };
    expect(toEvent(press, context)).toMatchObject({
      kind: 'button',
      pressId: 'cb1',
      data: 'gate:accept:1',
      messageId: 'mid.2',
      updateKey: 'message_callback:cb1',
    });
    expect(toEvent({ ...press, message: null }, context)).toBeUndefined();
    expect(toEvent({ ...press, callback: { callback_id: 'cb2', user: anna } }, context)).toBeUndefined();
  });

  it('malformed updates map to nothing, and a redelivery has the same key', () => {
    expect(toEvent({ update_type: 'message_created', timestamp: 1 }, context)).toBeUndefined();
    expect(toEvent({ update_type: 'user_added', timestamp: 1, chat_id: -70 }, context)).toBeUndefined();
    expect(toEvent({ update_type: 'something_new', timestamp: 1 }, context)).toBeUndefined();
    const added = { update_type: 'user_added', timestamp: 5, chat_id: -70, user: anna, inviter_id: null };
    expect(updateKey(structuredClone(added))).toBe(updateKey(added));
  });
});

describe('MAX errors as our codes', () => {
  it.each([
    [new MaxError(429, { code: 'too.many.requests', message: 'Too many requests' }), 'RATE_LIMITED'],
    [new MaxError(502, { code: 'unexpected.response', message: 'Failed to parse JSON' }), 'SERVER'],
    [new MaxError(401, { code: 'verify.token', message: 'Invalid access_token' }), 'UNAUTHORIZED'],
    [
      new MaxError(403, { code: 'access.denied', message: 'Not enough rights: delete required' }),
      'NOT_ENOUGH_RIGHTS',
    ],
    [
      new MaxError(403, { code: 'chat.denied', message: 'Key: error.dialog.suspended, args: [1,].' }),
      'CANNOT_MESSAGE_USER',
    ],
    [
      new MaxError(403, { code: 'chat.denied', message: 'Bot is not a member of chat -1' }),
      'BOT_NOT_IN_CHAT',
    ],
    [
      new MaxError(403, { code: 'access.denied', message: 'The chat owner cannot be removed' }),
      'USER_IS_ADMIN',
    ],
    [new MaxError(400, { code: 'proto.payload', message: 'bad' }), 'BAD_REQUEST'],
    [Object.assign(new Error('timeout'), { name: 'TimeoutError' }), 'NETWORK'],
    [Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'NETWORK'],
  ])('%s → %s', (error, code) => {
    expect(toMessengerError(error, 'call').code).toBe(code);
  });

  it('a 404 means what the call looked for', () => {
    const gone = new MaxError(404, { code: 'not.found', message: 'Message mid.1 not found' });
    expect(toMessengerError(gone, 'DELETE /messages', 'MESSAGE_GONE').code).toBe('MESSAGE_GONE');
    expect(toMessengerError(gone, 'POST /answers', 'CALLBACK_EXPIRED').code).toBe('CALLBACK_EXPIRED');
  });
});
