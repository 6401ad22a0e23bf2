import { APIError, APIErrorCode } from 'vk-io';
import { MessengerError, type MessengerErrorCode } from '../port.js';
import { networkError } from '../shared/network-errors.js';

/** VK asks for a pause after these; vk-io retries error 6 itself, so it rarely reaches us. */
const RATE_LIMIT_RETRY_SECONDS = 1;

/**
 * VK's error codes (vk-io's {@link APIErrorCode}, VKCOM/vk-api-schema `errors.json`) mapped to our codes,
 * where the meaning does not depend on the method.
 */
const CODES: ReadonlyMap<number, MessengerErrorCode> = new Map<number, MessengerErrorCode>([
  [APIErrorCode.UNKNOWN, 'SERVER'],
  [APIErrorCode.SERVER, 'SERVER'],
  [APIErrorCode.AUTH, 'UNAUTHORIZED'],
  [APIErrorCode.GROUP_AUTH, 'UNAUTHORIZED'],
  [APIErrorCode.APP_AUTH, 'UNAUTHORIZED'],
  [APIErrorCode.METHOD_PERMISSION, 'UNAUTHORIZED'],
  [APIErrorCode.ACCESS, 'NOT_ENOUGH_RIGHTS'],
  [APIErrorCode.PARAM, 'BAD_REQUEST'],
  [APIErrorCode.METHOD, 'BAD_REQUEST'],
  [APIErrorCode.PARAM_USER_ID, 'USER_NOT_FOUND'],
  [APIErrorCode.USER_DELETED, 'USER_NOT_FOUND'],
  [APIErrorCode.MESSAGES_USER_BLOCKED, 'CANNOT_MESSAGE_USER'],
  [APIErrorCode.MESSAGES_DENY_SEND, 'CANNOT_MESSAGE_USER'],
  [APIErrorCode.MESSAGES_PRIVACY, 'CANNOT_MESSAGE_USER'],
  // "Can't edit this message, because it's too old": it can no longer change, as if gone.
  [APIErrorCode.MESSAGES_EDIT_EXPIRED, 'MESSAGE_GONE'],
  [APIErrorCode.MESSAGES_KEYBOARD_INVALID, 'BAD_REQUEST'],
  [APIErrorCode.MESSAGES_TOO_LONG_MESSAGE, 'BAD_REQUEST'],
  [APIErrorCode.MESSAGES_CHAT_USER_NO_ACCESS, 'BOT_NOT_IN_CHAT'],
  [APIErrorCode.MESSAGES_CHAT_USER_LEFT, 'BOT_NOT_IN_CHAT'],
  [APIErrorCode.MESSAGES_CANT_SEE_INVITE_LINK, 'NOT_ENOUGH_RIGHTS'],
  [APIErrorCode.MESSAGES_CANT_CHANGE_INVITE_LINK, 'NOT_ENOUGH_RIGHTS'],
  // Others' messages go for everyone only when the community is a chat administrator.
  [APIErrorCode.MESSAGES_CANT_DELETE_FOR_ALL, 'NOT_ENOUGH_RIGHTS'],
  [APIErrorCode.MESSAGES_CHAT_NOT_ADMIN, 'NOT_ENOUGH_RIGHTS'],
  [APIErrorCode.MESSAGES_CHAT_NOT_EXIST, 'CHAT_NOT_FOUND'],
  [APIErrorCode.MESSAGES_CHAT_DISABLED, 'CHAT_NOT_FOUND'],
  [APIErrorCode.MESSAGES_CHAT_USER_NOT_IN_CHAT, 'USER_NOT_FOUND'],
  [APIErrorCode.MESSAGES_CONTACT_NOT_FOUND, 'USER_NOT_FOUND'],
]);

/**
 * Methods that answer 917 "You don't have access to this chat" to a community that is in the chat but is
 * not its administrator: there the fix is rights, not re-adding the bot.
 */
const ADMIN_ONLY_METHODS: ReadonlySet<string> = new Set([
  'messages.getConversationMembers',
  'messages.getInviteLink',
  'messages.changeConversationMemberRestrictions',
  'messages.removeChatUser',
]);

/** An error VK reported for one item of a batch answer (messages.send with `peer_ids`, messages.delete). */
export interface ItemError {
  code: number;
  description?: string;
}

/** Maps a VK error code (from a method or from one item of its answer) to a {@link MessengerError}. */
export function fromVkCode(code: number, description: string, method: string): MessengerError {
  const message = `${method}: ${code} ${description}`;
  if (code === APIErrorCode.TOO_MANY || code === APIErrorCode.FLOOD) {
    return new MessengerError('RATE_LIMITED', message, { retryAfterSeconds: RATE_LIMIT_RETRY_SECONDS });
  }
  // The method's daily quota: a pause of seconds does not help.
  if (code === APIErrorCode.RATE_LIMIT)
    return new MessengerError('RATE_LIMITED', message, { retryAfterSeconds: 3600 });
  // VK says "Access denied: message can not be found" for a message id that is gone.
  if (code === APIErrorCode.ACCESS && /message can ?not be found/i.test(description)) {
    return new MessengerError('MESSAGE_GONE', message);
  }
  if (code === APIErrorCode.MESSAGES_CHAT_USER_NO_ACCESS && ADMIN_ONLY_METHODS.has(method)) {
    return new MessengerError('NOT_ENOUGH_RIGHTS', message);
  }
  if (method === 'messages.send' && code === APIErrorCode.USER_DELETED) {
    return new MessengerError('CANNOT_MESSAGE_USER', message);
  }
  // An event_id older than a minute (or unknown) is what an invalid parameter means here.
  if (
    method === 'messages.sendMessageEventAnswer' &&
    (code === APIErrorCode.PARAM || code === APIErrorCode.NOT_FOUND)
  ) {
    return new MessengerError('CALLBACK_EXPIRED', message);
  }
  return new MessengerError(CODES.get(code) ?? 'BAD_REQUEST', message);
}

/** Turns whatever vk-io threw into a {@link MessengerError} with one of our codes. */
export function toMessengerError(error: unknown, method: string): MessengerError {
  if (error instanceof MessengerError) return error;
  if (error instanceof APIError) {
    const description = String(error.message).replace(/^Code №\d+ - /, '');
    return fromVkCode(Number(error.code), description, method);
  }
  // vk-io calls through node-fetch 2: FetchError (`type` 'system' with an errno code, 'invalid-json', …)
  // or AbortError when apiTimeout runs out.
  const err = error as { name?: string; code?: string; type?: string; message?: string } | undefined;
  const network = networkError(error, method);
  if (network) return network;
  // VK answers every API error as JSON with HTTP 200; a body that is not JSON is a front server's error
  // page (502, 504…). vk-io hides the status, so this is the 5xx we can see.
  if (err?.type === 'invalid-json' || error instanceof SyntaxError) {
    return new MessengerError('SERVER', `${method}: the VK API answered something other than JSON`);
  }
  return new MessengerError('NETWORK', `${method}: ${err?.message ?? String(error)}`);
}
