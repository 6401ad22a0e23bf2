import { badRequest, conflict } from '../errors.js';
import { Described, type MethodHandler } from './context.js';

const LONG_POLL_MAX_TIMEOUT = 50;

/** getMe. */
export const getMe: MethodHandler = (_p, { world }) => ({
  ...world.botUser,
  can_join_groups: true,
  can_read_all_group_messages: !world.privacyMode,
  supports_inline_queries: false,
});

/**
 * getUpdates: `offset` confirms, `limit` 1–100, `timeout` up to 50 s of long polling that ends as soon as an
 * update arrives. A newer getUpdates ends the waiting one with 409, and so does setWebhook.
 */
export const getUpdates: MethodHandler = async (p, { updates, webhook, signal }) => {
  if (webhook.current()) {
    throw conflict(
      "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
  }
  const offset = p.int('offset');
  const limit = p.clampedInt('limit', 100, 1, 100);
  const timeout = p.clampedInt('timeout', 0, 0, LONG_POLL_MAX_TIMEOUT);
  updates.setAllowed(p.raw.allowed_updates);
  updates.confirm(offset);
  const ready = updates.handOut(limit);
  if (ready.length > 0 || timeout === 0) return ready;
  const reason = await updates.wait(timeout * 1000, signal);
  if (reason === 'conflict') {
    throw conflict('terminated by other getUpdates request; make sure that only one bot instance is running');
  }
  if (reason === 'webhook') throw conflict('terminated by setWebhook request');
  return updates.handOut(limit);
};

/**
 * setWebhook: `url` (http or https, since the fake's receivers are local), `secret_token` (1–256 of
 * `A-Za-z0-9_-`), `max_connections` 1–100 (default 40), `allowed_updates`, `drop_pending_updates`. An empty url
 * deletes the webhook.
 */
export const setWebhook: MethodHandler = (p, ctx) => {
  const url = p.string('url');
  if (url === '') return deleteWebhook(p, ctx);
  const { updates, webhook } = ctx;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('invalid webhook URL specified');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw badRequest('invalid webhook URL specified');
  const secretToken = p.string('secret_token');
  if (secretToken.length > 256) throw badRequest('secret token is too long');
  if (!/^[A-Za-z0-9_-]*$/u.test(secretToken)) throw badRequest('secret token contains unallowed characters');
  const maxConnections = p.clampedInt('max_connections', 40, 1, 100);
  const drop = p.bool('drop_pending_updates');
  const current = webhook.current();
  if (
    current &&
    !drop &&
    current.url === url &&
    current.secretToken === secretToken &&
    current.maxConnections === maxConnections
  ) {
    updates.setAllowed(p.raw.allowed_updates);
    return new Described(true, 'Webhook is already set');
  }
  if (drop) updates.clear();
  updates.setAllowed(p.raw.allowed_updates);
  updates.interrupt('webhook');
  webhook.set({ url, secretToken, maxConnections });
  return new Described(true, 'Webhook was set');
};

/** deleteWebhook: back to getUpdates; `drop_pending_updates` forgets the queue. */
export const deleteWebhook: MethodHandler = (p, { updates, webhook }) => {
  if (p.bool('drop_pending_updates')) updates.clear();
  if (!webhook.current()) return new Described(true, 'Webhook is already deleted');
  webhook.delete();
  return new Described(true, 'Webhook was deleted');
};

/** getWebhookInfo: url, pending_update_count, last error, max_connections and non-default allowed_updates. */
export const getWebhookInfo: MethodHandler = (_p, { updates, webhook }) => {
  const current = webhook.current();
  const error = webhook.error();
  const allowed = updates.allowedUpdates();
  return {
    url: current?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: updates.pending().length,
    ...(error && { last_error_date: error.date, last_error_message: error.message }),
    ...(current && { max_connections: current.maxConnections, ip_address: '127.0.0.1' }),
    ...(allowed && { allowed_updates: allowed }),
  };
};
