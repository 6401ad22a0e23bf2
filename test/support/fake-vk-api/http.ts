import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the HTTP layer does with a request. */
export type Outcome =
  | { readonly kind: 'json'; readonly body: unknown }
  /** An HTTP error page, as VK's front servers send under trouble (not JSON). */
  | { readonly kind: 'status'; readonly status: number }
  /** Close the connection without answering. */
  | { readonly kind: 'drop' };

export interface Routes {
  /** `POST|GET /method/<name>` with query and form parameters merged. */
  method(name: string, params: Record<string, string>, signal: AbortSignal): Promise<Outcome>;
  /** `GET /lp/<server>?act=a_check&key&ts&wait`. */
  longPoll(query: URLSearchParams, signal: AbortSignal): Promise<Outcome>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The fake's node:http front on 127.0.0.1 and a random port. */
export class HttpFront {
  private server: http.Server | undefined;
  private readonly inflight = new Set<AbortController>();

  constructor(private readonly routes: Routes) {}

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
      let outcome: Outcome;
      const method = /^\/method\/([\w.]+)$/.exec(url.pathname)?.[1];
      if (method) {
        const params = { ...Object.fromEntries(url.searchParams), ...(await readForm(req)) };
        outcome = await this.routes.method(method, params, controller.signal);
      } else if (url.pathname.startsWith('/lp/')) {
        outcome = await this.routes.longPoll(url.searchParams, controller.signal);
      } else {
        outcome = { kind: 'status', status: 404 };
      }
      if (outcome.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (outcome.kind === 'status') return sendPage(res, outcome.status);
      sendJson(res, outcome.body);
    } catch {
      sendPage(res, 500);
    } finally {
      this.inflight.delete(controller);
    }
  }
}

function sendJson(res: ServerResponse, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(200, {
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

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request entity is too large');
    chunks.push(buffer);
  }
  if (chunks.length === 0) return {};
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
