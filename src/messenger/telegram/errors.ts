import { TelegramError } from 'telegraf';
import { MessengerError, type MessengerErrorCode } from '../port.js';
import { networkError } from '../shared/network-errors.js';

/** Telegram's descriptions, matched case-insensitively, mapped to our codes (first match wins). */
const DESCRIPTIONS: Array<[RegExp, MessengerErrorCode]> = [
  [/message is not modified/i, 'MESSAGE_UNCHANGED'],
  [
    /message to (delete|edit) not found|message can't be (deleted|edited)|message_id_invalid|message not found/i,
    'MESSAGE_GONE',
  ],
  [
    /not enough rights|chat_admin_required|have no rights|need administrator rights|rights to (restrict|ban|invite)/i,
    'NOT_ENOUGH_RIGHTS',
  ],
  [
    /user is an administrator|can't remove chat owner|can't restrict self|user_admin_invalid|can't demote chat creator/i,
    'USER_IS_ADMIN',
  ],
  [/only for supergroups|supergroup and channel chats only|for supergroups only/i, 'NOT_SUPERGROUP'],
  [/user_already_participant/i, 'ALREADY_PARTICIPANT'],
  [/hide_requester_missing|join request/i, 'NO_JOIN_REQUEST'],
  [/query is too old|query id is invalid/i, 'CALLBACK_EXPIRED'],
  [
    /bot can't initiate conversation|bot was blocked by the user|user is deactivated|bot can't send messages to bots/i,
    'CANNOT_MESSAGE_USER',
  ],
  [
    /bot was kicked|bot is not a member|not a member of the (super)?group|have no access to the chat/i,
    'BOT_NOT_IN_CHAT',
  ],
  [
    /user not found|participant_id_invalid|user_id_invalid|member not found|user_not_participant/i,
    'USER_NOT_FOUND',
  ],
  [/chat not found|peer_id_invalid/i, 'CHAT_NOT_FOUND'],
];

/** Turns whatever telegraf threw into a {@link MessengerError} with one of our codes. */
export function toMessengerError(error: unknown, method: string): MessengerError {
  if (error instanceof MessengerError) return error;
  if (error instanceof TelegramError) {
    const { code, description } = error;
    const parameters = error.parameters;
    const message = `${method}: ${code} ${description}`;
    if (code === 429) {
      return new MessengerError('RATE_LIMITED', message, { retryAfterSeconds: parameters?.retry_after ?? 5 });
    }
    if (parameters?.migrate_to_chat_id !== undefined) {
      return new MessengerError('CHAT_MIGRATED', message, {
        migratedToChatId: String(parameters.migrate_to_chat_id),
      });
    }
    if (code >= 500) return new MessengerError('SERVER', message);
    if (code === 401 || code === 404) return new MessengerError('UNAUTHORIZED', message);
    for (const [pattern, mapped] of DESCRIPTIONS)
      if (pattern.test(description)) return new MessengerError(mapped, message);
    return new MessengerError(code === 403 ? 'BOT_NOT_IN_CHAT' : 'BAD_REQUEST', message);
  }
  const err = error as { name?: string; code?: string; type?: string; message?: string } | undefined;
  const network = networkError(error, method);
  if (network) return network;
  if (err?.name === 'FetchError' || err?.type === 'system') {
    return new MessengerError('NETWORK', `${method}: ${err.message ?? 'network error'}`);
  }
  // A response that was not JSON (a proxy's error page, a cut connection) is a network problem too.
  if (error instanceof SyntaxError || err?.type === 'invalid-json') {
    return new MessengerError('NETWORK', `${method}: malformed response`);
  }
  return new MessengerError('NETWORK', `${method}: ${err?.message ?? String(error)}`);
}
