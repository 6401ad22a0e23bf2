import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type HttpEnv, mediaType, problem, unread } from './context.js';

/**
 * Reading request bodies on the bot's HTTP port. A route puts these after its own checks of the headers
 * (a token, a secret, the content type), so a request those refuse is answered with its body unread:
 *
 *   app.post(path, authorize, expectJson, limitBody(1 MB), readJson(), handler)
 */

/** How long a refused request is told to wait (seconds) when the server is reading too much at once. */
const BUSY_RETRY_AFTER_SECONDS = 5;

/** The body's size as declared: its Content-Length, undefined when it comes chunked, 0 when none. */
function declaredLength(header: (name: string) => string | undefined): number | undefined {
  if (header('transfer-encoding') !== undefined) return undefined;
  const length = Number(header('content-length') ?? 0);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/**
 * Allows a body of at most `maxBytes`: a larger Content-Length gets 413 before anything is read (a smaller
 * one is read as it is: Node's parser reads no more than it declares), and a chunked body gets 413 as soon
 * as it passes the limit (Hono's `bodyLimit` counts it as it streams in);
 * the connection then closes. The body's bytes are reserved from the server's {@link BodyBudget} while
 * the request is handled; when all bodies being read together would pass that cap the request gets 503
 * with Retry-After, unread.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<HttpEnv> {
  const streamed = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => problem(c, 413, 'request body too large', {}, { connection: 'close' }),
  });
  return async (c, next) => {
    // The Node request's headers when there is one: Hono's `header()` would build a web `Headers` first.
    const incoming = c.env?.incoming?.headers;
    const declared = declaredLength((name) => {
      const value = incoming ? incoming[name] : c.req.header(name);
      return Array.isArray(value) ? value.join(', ') : value;
    });
    if (declared === 0) return next();
    if (declared !== undefined && declared > maxBytes) {
      return problem(c, 413, 'request body too large', {}, unread(c));
    }
    const bytes = declared ?? maxBytes;
    const budget = c.var.bodyBudget;
    if (!budget.take(bytes)) {
      return problem(
        c,
        503,
        'the server is busy reading other requests; try again in a few seconds',
        {},
        { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS), ...unread(c) },
      );
    }
    try {
      // A declared length within the limit is all the HTTP parser will let through: the body is read
      // straight from the Node request, without Hono's streaming check (which builds a full web Request
      // and a web stream around the socket for every request).
      return await (declared !== undefined ? next() : streamed(c, next));
    } finally {
      budget.give(bytes);
    }
  };
}

/** 415 unless the body is declared JSON (Content-Type: application/json), before reading it. */
export const expectJson: MiddlewareHandler<HttpEnv> = async (c, next) => {
  if (mediaType(c) !== 'application/json') {
    return problem(c, 415, 'the body must be JSON (Content-Type: application/json)', {}, unread(c));
  }
  return next();
};

/**
 * Reads the body (within the limit set before it) and parses it as JSON into `c.var.json`; 400 when it
 * is not JSON. `empty` stands for an empty body when given.
 */
export function readJson(options: { empty?: unknown } = {}): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const raw = await c.req.text();
    let value: unknown;
    try {
      value = raw === '' && 'empty' in options ? options.empty : JSON.parse(raw);
    } catch {
      return problem(c, 400, 'the body is not valid JSON');
    }
    c.set('json', value);
    return next();
  };
}
