import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Bytes of request bodies being read at once, across all requests: a route reserves a body's size
 * before reading it (its Content-Length, or its limit when the body comes chunked) and gives it back when
 * it has answered. Past the cap a request is refused (503) instead of read, so many big bodies at once
 * cannot exhaust the heap.
 */
export class BodyBudget {
  private reserved = 0;

  constructor(readonly capBytes: number) {}

  /** Bytes reserved now (the `ccm_http_body_bytes_reading` gauge). */
  get reading(): number {
    return this.reserved;
  }

  /** Reserves `bytes`; false (nothing reserved) when that would pass the cap. */
  take(bytes: number): boolean {
    if (this.reserved + bytes > this.capBytes) return false;
    this.reserved += bytes;
    return true;
  }

  give(bytes: number): void {
    this.reserved = Math.max(0, this.reserved - bytes);
  }
}

/**
 * What every route on the bot's HTTP port sees: the Node request and response under @hono/node-server,
 * the server's body budget, and the JSON body once a route's middleware has read it.
 */
export type HttpEnv = {
  Bindings: HttpBindings;
  Variables: { bodyBudget: BodyBudget; json: unknown };
};

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

export function json(
  c: Context,
  status: ContentfulStatusCode,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return c.body(JSON.stringify(body), status, { 'content-type': JSON_TYPE, ...headers });
}

export function text(
  c: Context,
  status: ContentfulStatusCode,
  body: string,
  headers: Record<string, string> = {},
): Response {
  return c.body(body, status, { 'content-type': TEXT_TYPE, ...headers });
}

/** `{"error": "...", ...extra}` with `status`. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return json(c, status, { error, ...extra }, headers);
}

/** Whether the request says a body follows (a Content-Length above 0, or a chunked body). */
export function bodyDeclared(c: Context): boolean {
  if (c.req.header('transfer-encoding') !== undefined) return true;
  return Number(c.req.header('content-length') ?? 0) > 0;
}

/**
 * Headers for an answer given without reading the request's body: when a body is on its way the
 * connection closes after the answer, so the body is neither read into memory nor waited for.
 */
export function unread(c: Context): Record<string, string> {
  return bodyDeclared(c) ? { connection: 'close' } : {};
}

/** The media type of the request's body, lower case, without parameters. */
export function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
