import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../lib/logger.js';
import type { InboundRoute } from '../messenger/connector.js';
import type { BodyBudget } from './context.js';
import { JSON_TYPE, TEXT_TYPE } from './context.js';

/** A webhook's body limit: Telegram's, VK's and MAX's updates are far smaller. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** How long a refused request is told to wait (seconds) when the server is reading too much at once. */
const BUSY_RETRY_AFTER_SECONDS = 5;

const NO_EXTRA: Record<string, string> = Object.freeze({});

/** The headers every answer carries (security.ts), for plain http and for https. */
export interface AnswerHeaders {
  plain: Record<string, string>;
  strict: Record<string, string>;
}

/**
 * The platforms' webhooks, served straight from Node's request and response: the hottest path of the
 * port (every update of every chat) skips building a web Request and Response for each update. It
 * answers as the framework's routes do — the connector's check of the headers first (401, body unread),
 * the body within its limit (413) and the server's budget (503), the same security headers and
 * `cache-control: no-store` — and so a platform sees no difference.
 */
export class RawInbound {
  private readonly routes = new Map<string, InboundRoute>();
  /** The headers of an empty answer, per set of security headers (plain http or https). */
  private readonly emptyAnswers = new WeakMap<Record<string, string>, Record<string, string>>();

  constructor(
    private readonly log: Logger,
    private readonly bodies: BodyBudget,
    private readonly headers: () => AnswerHeaders,
    private readonly https: boolean,
  ) {}

  add(route: InboundRoute): void {
    this.routes.set(`${route.method} ${route.path}`, route);
  }

  has(path: string): boolean {
    for (const route of this.routes.values()) if (route.path === path) return true;
    return false;
  }

  /** Serves the request when it is a webhook's; false leaves it to the framework. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.routes.size === 0) return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const route = this.routes.get(`${req.method} ${query < 0 ? url : url.slice(0, query)}`);
    if (!route) return false;
    void this.handle(route, req, res).catch((error: unknown) => {
      this.log.error({ err: error, path: route.path }, 'http handler failed');
      if (!res.headersSent) this.answer(req, res, 500, { error: 'internal error' });
      else res.destroy();
    });
    return true;
  }

  private async handle(route: InboundRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const length = Number(req.headers['content-length'] ?? 0);
    const declared = chunked ? undefined : Number.isSafeInteger(length) && length >= 0 ? length : undefined;
    const unread = chunked || (declared ?? 1) > 0 ? { connection: 'close' } : {};
    if (route.authorize && !route.authorize(req.headers)) {
      this.answer(req, res, 401, '', unread);
      return;
    }
    if (declared !== undefined && declared > WEBHOOK_BODY_LIMIT) {
      this.answer(req, res, 413, { error: 'request body too large' }, unread);
      return;
    }
    const bytes = declared ?? WEBHOOK_BODY_LIMIT;
    if (bytes > 0 && !this.bodies.take(bytes)) {
      const busy = { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS), ...unread };
      const error = 'the server is busy reading other requests; try again in a few seconds';
      this.answer(req, res, 503, { error }, busy);
      return;
    }
    try {
      const body = await readBody(req, WEBHOOK_BODY_LIMIT);
      if (body === undefined) {
        this.answer(req, res, 413, { error: 'request body too large' }, { connection: 'close' });
        return;
      }
      if (body === null) return; // the client went away while sending: nobody is left to answer
      const answer = await route.handle({ headers: req.headers, body });
      this.answer(req, res, answer.status, answer.body ?? '');
    } finally {
      if (bytes > 0) this.bodies.give(bytes);
    }
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: string | Record<string, unknown>,
    extra: Record<string, string> = NO_EXTRA,
  ): void {
    const headers = this.https || forwardedHttps(req) ? this.headers().strict : this.headers().plain;
    if (body === '' && extra === NO_EXTRA) {
      // A platform's acknowledgement (every update of every chat): its headers are built once. Node hands
      // an object given to writeHead to the header writer as it is, and changes nothing in it.
      let empty = this.emptyAnswers.get(headers);
      if (!empty) {
        empty = Object.freeze({ ...headers, 'content-type': TEXT_TYPE, 'content-length': '0' });
        this.emptyAnswers.set(headers, empty);
      }
      res.writeHead(status, empty);
      res.end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'content-type': typeof body === 'string' ? TEXT_TYPE : JSON_TYPE,
      'content-length': String(Buffer.byteLength(text)),
      ...extra,
    });
    res.end(text);
  }
}

function forwardedHttps(req: IncomingMessage): boolean {
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/**
 * The body as text; undefined once it passes `limit` (a chunked body: Node's parser lets no more than a
 * declared length through), null when the client went away before its end.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: string | undefined | null) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(Buffer.concat(chunks, size).toString('utf8')));
    req.once('aborted', () => finish(null));
    req.once('error', () => finish(null));
    req.once('close', () => {
      if (!req.complete) finish(null);
    });
  });
}
