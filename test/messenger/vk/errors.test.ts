import { describe, expect, it } from 'vitest';
import { APIError } from 'vk-io';
import { MessengerError } from '../../../src/messenger/port.js';
import { fromVkCode, toMessengerError } from '../../../src/messenger/vk/errors.js';

const apiError = (error_code: number, error_msg: string) =>
  new APIError({ error_code, error_msg, request_params: [] });

describe('toMessengerError', () => {
  it.each([
    // [method, error, our code, retryable]
    ['messages.send', apiError(6, 'Too many requests per second'), 'RATE_LIMITED', true],
    ['messages.send', apiError(9, 'Flood control'), 'RATE_LIMITED', true],
    ['messages.send', apiError(10, 'Internal server error'), 'SERVER', true],
    ['messages.send', apiError(1, 'Unknown error occurred'), 'SERVER', true],
    [
      'messages.send',
      apiError(5, 'User authorization failed: invalid access_token (4).'),
      'UNAUTHORIZED',
      false,
    ],
    ['messages.send', apiError(27, 'Group authorization failed'), 'UNAUTHORIZED', false],
    [
      'messages.removeChatUser',
      apiError(15, "Access denied: can't kick the chat owner"),
      'NOT_ENOUGH_RIGHTS',
      false,
    ],
    ['messages.delete', apiError(15, 'Access denied: message can not be found'), 'MESSAGE_GONE', false],
    ['messages.edit', apiError(15, 'Access denied: message can not be found'), 'MESSAGE_GONE', false],
    ['messages.send', apiError(917, "You don't have access to this chat"), 'BOT_NOT_IN_CHAT', false],
    [
      'messages.getConversationMembers',
      apiError(917, "You don't have access to this chat"),
      'NOT_ENOUGH_RIGHTS',
      false,
    ],
    ['messages.removeChatUser', apiError(925, 'You are not admin of this chat'), 'NOT_ENOUGH_RIGHTS', false],
    [
      'messages.getInviteLink',
      apiError(919, "You can't see invite link for this chat"),
      'NOT_ENOUGH_RIGHTS',
      false,
    ],
    ['messages.delete', apiError(924, "Can't delete this message for everybody"), 'NOT_ENOUGH_RIGHTS', false],
    ['messages.send', apiError(922, 'You left this chat'), 'BOT_NOT_IN_CHAT', false],
    ['messages.removeChatUser', apiError(935, 'User not found in chat'), 'USER_NOT_FOUND', false],
    ['messages.removeChatUser', apiError(936, 'Contact not found'), 'USER_NOT_FOUND', false],
    ['users.get', apiError(113, 'Invalid user id'), 'USER_NOT_FOUND', false],
    [
      'messages.send',
      apiError(901, "Can't send messages for users without permission"),
      'CANNOT_MESSAGE_USER',
      false,
    ],
    [
      'messages.send',
      apiError(902, "Can't send messages to this user due to their privacy settings"),
      'CANNOT_MESSAGE_USER',
      false,
    ],
    [
      'messages.send',
      apiError(900, "Can't send messages for users from blacklist"),
      'CANNOT_MESSAGE_USER',
      false,
    ],
    ['messages.send', apiError(18, 'User was deleted or banned'), 'CANNOT_MESSAGE_USER', false],
    ['messages.removeChatUser', apiError(18, 'User was deleted or banned'), 'USER_NOT_FOUND', false],
    ['messages.edit', apiError(909, "Can't edit this message, because it's too old"), 'MESSAGE_GONE', false],
    ['messages.send', apiError(911, 'Keyboard format is invalid'), 'BAD_REQUEST', false],
    ['messages.send', apiError(914, 'Message is too long'), 'BAD_REQUEST', false],
    ['messages.send', apiError(927, 'Chat does not exist'), 'CHAT_NOT_FOUND', false],
    [
      'messages.send',
      apiError(100, 'One of the parameters specified was missing or invalid'),
      'BAD_REQUEST',
      false,
    ],
    [
      'messages.sendMessageEventAnswer',
      apiError(100, 'One of the parameters specified was missing or invalid: event_id is invalid'),
      'CALLBACK_EXPIRED',
      false,
    ],
    ['messages.send', apiError(4242, 'Something VK added later'), 'BAD_REQUEST', false],
    [
      'messages.send',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', type: 'system' }),
      'NETWORK',
      true,
    ],
    [
      'messages.send',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', type: 'system' }),
      'NETWORK',
      true,
    ],
    [
      'messages.send',
      Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' }),
      'NETWORK',
      true,
    ],
    [
      'messages.send',
      Object.assign(new Error('invalid json response body'), { name: 'FetchError', type: 'invalid-json' }),
      'SERVER',
      true,
    ],
  ] as const)('%s: %s → %s', (method, error, code, retryable) => {
    const mapped = toMessengerError(error, method);
    expect(mapped).toBeInstanceOf(MessengerError);
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
  });

  it('asks for a one-second pause after VK says too many requests or flood control', () => {
    expect(toMessengerError(apiError(6, 'Too many requests per second'), 'messages.send').details).toEqual({
      retryAfterSeconds: 1,
    });
    expect(fromVkCode(9, 'Flood control', 'messages.send').details).toEqual({ retryAfterSeconds: 1 });
  });

  it("keeps VK's code and text in the message, and passes our own errors through", () => {
    expect(
      toMessengerError(apiError(925, 'You are not admin of this chat'), 'messages.removeChatUser').message,
    ).toBe('messages.removeChatUser: 925 You are not admin of this chat');
    const ours = new MessengerError('USER_IS_ADMIN', 'already mapped');
    expect(toMessengerError(ours, 'x')).toBe(ours);
  });

  it('maps an error VK reports for one item of a batch answer', () => {
    expect(fromVkCode(917, "You don't have access to this chat", 'messages.send').code).toBe(
      'BOT_NOT_IN_CHAT',
    );
    expect(fromVkCode(15, 'Access denied: message can not be found', 'messages.delete').code).toBe(
      'MESSAGE_GONE',
    );
  });
});
