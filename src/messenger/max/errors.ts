import { MaxError } from '@maxhub/max-bot-api';
import { MessengerError, type MessengerErrorCode } from '../port.js';
import { networkError } from '../shared/network-errors.js';

/** MAX sends no Retry-After; a second is its per-token window (30 requests a second). */
const RATE_LIMIT_RETRY_SECONDS = 1;

/** What a 404 means, by the call that met it. */
export type NotFoundMeaning = 'MESSAGE_GONE' | 'USER_NOT_FOUND' | 'CHAT_NOT_FOUND' | 'CALLBACK_EXPIRED';

/**
 * Maps what MAX answered (`{code, message}` with an HTTP status, max-messenger/api-schema `Error`) to our
 * codes. The status decides first, as the schema documents only statuses; the code refines it:
 * `chat.denied` is the bot not (or no longer) in a chat, or a person who stopped the bot
 * (`error.dialog.suspended`); `access.denied` is a missing administrator permission.
 */
export function fromMaxAnswer(
  status: number,
  code: string | undefined,
  description: string,
  method: string,
  notFound: NotFoundMeaning = 'CHAT_NOT_FOUND',
): MessengerError {
  const message = `${method}: ${status} ${code ?? ''} ${description}`.trim();
  let mapped: MessengerErrorCode;
  if (status === 429) {
    return new MessengerError('RATE_LIMITED', message, { retryAfterSeconds: RATE_LIMIT_RETRY_SECONDS });
  }
  if (status >= 500 || code === 'unexpected.response') mapped = 'SERVER';
  else if (status === 401 || code === 'verify.token') mapped = 'UNAUTHORIZED';
  else if (code === 'chat.denied' && /dialog\.suspended|blocked/i.test(description)) {
    mapped = 'CANNOT_MESSAGE_USER';
  } else if (code === 'chat.denied') mapped = 'BOT_NOT_IN_CHAT';
  else if (status === 403) mapped = /owner|admin/i.test(description) ? 'USER_IS_ADMIN' : 'NOT_ENOUGH_RIGHTS';
  else if (status === 404) mapped = notFound;
  else mapped = 'BAD_REQUEST';
  // A 403 that names rights is about the bot's; one that names the owner is about the target.
  if (status === 403 && code === 'access.denied' && /rights|administrator/i.test(description)) {
    mapped = 'NOT_ENOUGH_RIGHTS';
  }
  return new MessengerError(mapped, message);
}

/** Turns whatever the client threw into a {@link MessengerError}. */
export function toMessengerError(error: unknown, method: string, notFound?: NotFoundMeaning): MessengerError {
  if (error instanceof MessengerError) return error;
  if (error instanceof MaxError) {
    return fromMaxAnswer(error.status, error.code, String(error.description ?? ''), method, notFound);
  }
  const network = networkError(error, method);
  if (network) return network;
  // fetch itself failed (undici's "fetch failed" with the socket error as its cause).
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const fromCause = cause ? networkError(cause, method) : undefined;
  if (fromCause) return fromCause;
  const text = error instanceof Error ? error.message : String(error);
  return new MessengerError('NETWORK', `${method}: ${text}`);
}
