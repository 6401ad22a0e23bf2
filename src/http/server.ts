import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../lib/logger.js';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The raw body; read only for routes that ask for it, within the size limit. */
  body: string;
}

export interface HttpResponse {
  status: number;
  body?: string | Record<string, unknown> | unknown[];
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Largest body accepted, in bytes (413 past it). */
  bodyLimit?: number;
  handle(request: HttpRequest): Promise<HttpResponse>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, response: HttpResponse): void {
  const isJson = response.body !== undefined && typeof response.body !== 'string';
  const payload =
    response.body === undefined ? '' : isJson ? JSON.stringify(response.body) : String(response.body);
  res.writeHead(response.status, {
    'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...response.headers,
  });
  res.end(payload);
}

/** One HTTP port for the webhook, the APIs, /healthz and /metrics (SPEC: `HTTP_PORT`). */
export class HttpServer {
  private readonly server: http.Server;
  private readonly routes: Route[] = [];

  constructor(private readonly log: Logger) {
    this.server = http.createServer((req, res) => {
      void this.serve(req, res);
    });
    this.server.keepAliveTimeout = 65_000;
  }

  add(route: Route): void {
    this.routes.push(route);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const matching = this.routes.filter((route) => route.path === url.pathname);
    const route = matching.find((candidate) => candidate.method === method);
    try {
      if (!route) {
        send(
          res,
          matching.length > 0
            ? { status: 405, body: { error: 'method not allowed' } }
            : { status: 404, body: { error: 'not found' } },
        );
        return;
      }
      const body = method === 'GET' ? '' : await readBody(req, route.bodyLimit ?? DEFAULT_BODY_LIMIT);
      const response = await route.handle({
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      });
      send(res, response);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // Answer at once and close: the rest of the body is not worth reading.
        send(res, {
          status: 413,
          body: { error: 'request body too large' },
          headers: { connection: 'close' },
        });
        req.destroy();
        return;
      }
      this.log.error({ err: error, path: url.pathname }, 'http handler failed');
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
    }
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops accepting connections and waits for requests in progress. */
  async close(graceMs = 5000): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      // Requests still running after the grace period are cut off.
      setTimeout(() => this.server.closeAllConnections(), graceMs).unref();
    });
  }
}
