import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the dispatcher sees it. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  /** Parsed JSON body; undefined when there was none. */
  readonly body: unknown;
  /** Set when the body was not valid JSON. */
  readonly bodyError?: string;
}

/** What the HTTP layer does with a request. */
export type Outcome =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  /** A non-JSON page, as a gateway in front of the API answers under trouble. */
  | { readonly kind: 'page'; readonly status: number }
  /** Close the connection without answering. */
  | { readonly kind: 'drop' };

export type Handler = (request: ApiRequest, signal: AbortSignal) => Promise<Outcome>;

const MAX_BODY_BYTES = 1024 * 1024;

/** The fake's node:http front on 127.0.0.1 and a random port. */
export class HttpFront {
  private server: http.Server | undefined;
  private readonly inflight = new Set<AbortController>();

  constructor(private readonly handler: Handler) {}

  async start(port = 0): Promise<number> {
    const server = http.createServer((req, res) => {
      void this.serve(req, res);
    });
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /** Ends held requests (long polls answer at once), then closes every socket. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const controller of this.inflight) controller.abort();
    await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const controller = new AbortController();
    this.inflight.add(controller);
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      const raw = await readBody(req);
      let body: unknown;
      let bodyError: string | undefined;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch (error) {
          bodyError = error instanceof Error ? error.message : 'invalid JSON';
        }
      }
      const outcome = await this.handler(
        {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          authorization: req.headers.authorization,
          body,
          ...(bodyError !== undefined && { bodyError }),
        },
        controller.signal,
      );
      if (outcome.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (outcome.kind === 'page') return sendPage(res, outcome.status);
      sendJson(res, outcome.status, outcome.body);
    } catch {
      sendPage(res, 500);
    } finally {
      this.inflight.delete(controller);
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendPage(res: ServerResponse, status: number): void {
  if (res.writableEnded || res.destroyed) return;
  const text = `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request entity is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
