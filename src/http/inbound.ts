import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { InboundRequest, InboundRoute } from '../messenger/connector.js';
import { limitBody } from './body.js';
import { type HttpEnv, json, text, unread } from './context.js';

/** A webhook's body limit: Telegram's and VK's updates are far smaller. */
const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * The request's headers (lower-case names): the Node request's own under @hono/node-server, which costs
 * nothing, rather than a copy built from a web `Headers` for every request.
 */
function headersOf(c: Context<HttpEnv>): InboundRequest['headers'] {
  return c.env?.incoming?.headers ?? c.req.header();
}

/**
 * Mounts a connector's webhook: the connector's own check of the headers first (a wrong secret gets 401
 * with the body unread), then the body within its limit, then the connector's answer as it gives it
 * (Telegram's 500 while handling fails, so that it redelivers; VK's `ok`).
 */
export function mountInbound(app: Hono<HttpEnv>, route: InboundRoute): void {
  app.on(
    route.method,
    route.path,
    async (c, next) => {
      if (route.authorize && !route.authorize(headersOf(c))) return text(c, 401, '', unread(c));
      return next();
    },
    limitBody(WEBHOOK_BODY_LIMIT),
    async (c) => {
      const answer = await route.handle({ headers: headersOf(c), body: await c.req.text() });
      const status = answer.status as ContentfulStatusCode;
      return typeof answer.body === 'object'
        ? json(c, status, answer.body)
        : text(c, status, answer.body ?? '');
    },
  );
}
