import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiBody, Outcome } from './dispatch.js';
import { decodeStringParams, type Params } from './params.js';

/** Handles one Bot API call; `signal` aborts when the client goes away or the server stops. */
export type CallHandler = (method: string, params: Params, signal: AbortSignal) => Promise<Outcome>;

const MAX_BODY_BYTES = 50 * 1024 * 1024;

/**
 * The HTTP face of the fake: `GET|POST /bot<token>/<method>` with parameters in the query string and/or a JSON,
 * url-encoded or multipart body, answered with Bot API JSON. Listens on 127.0.0.1 on a random port.
 */
export class HttpFront {
  private server: http.Server | undefined;
  private readonly inflight = new Set<AbortController>();

  constructor(
    private readonly token: string,
    private readonly handle: CallHandler,
  ) {}

  /** Starts listening; resolves with the port. */
  async start(): Promise<number> {
    const server = http.createServer((req, res) => {
      void this.serve(req, res);
    });
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /** Ends pending calls (long polls answer at once), closes every socket and the listener. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const controller of this.inflight) controller.abort();
    // Give aborted long polls a tick to write their answers before the sockets go.
    await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/bot([^/]*)\/(.*)$/u.exec(url.pathname);
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token = '', method = ''] = match;
    if (token !== this.token) {
      const description = /^\d+:[\w-]+$/u.test(token)
        ? 'Unauthorized'
        : 'Unauthorized: invalid token specified';
      return send(res, 401, { ok: false, error_code: 401, description });
    }
    let params: Params;
    try {
      params = { ...decodeStringParams(url.searchParams.entries()), ...(await readBody(req)) };
    } catch (error) {
      const description = `Bad Request: ${error instanceof Error ? error.message : 'invalid request body'}`;
      return send(res, 400, { ok: false, error_code: 400, description });
    }
    const controller = new AbortController();
    this.inflight.add(controller);
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      const outcome = await this.handle(decodePath(method), params, controller.signal);
      if (outcome.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      send(res, outcome.status, outcome.body, outcome.retryAfter);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      send(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${reason}` });
    } finally {
      this.inflight.delete(controller);
    }
  }
}

function decodePath(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function send(res: ServerResponse, status: number, body: ApiBody, retryAfter?: number): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(retryAfter !== undefined && { 'retry-after': String(retryAfter) }),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request entity is too large');
    chunks.push(buffer);
  }
  const body = Buffer.concat(chunks);
  if (body.length === 0) return {};
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error("can't parse JSON object");
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return decodeStringParams(new URLSearchParams(body.toString('utf8')).entries());
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/u.exec(req.headers['content-type'] ?? '')?.[1];
    if (!boundary) throw new Error('multipart boundary is missing');
    return decodeStringParams(multipartFields(body, boundary));
  }
  return {};
}

// Text fields of a multipart body; a file part is recorded by name and size, with its file name and text beside it.
function* multipartFields(body: Buffer, boundary: string): Generator<[string, string]> {
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length + 2;
    const end = body.indexOf(delimiter, partStart);
    if (end === -1) return;
    const part = body.subarray(partStart, end - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers = part.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/iu.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/iu.exec(headers)?.[1];
      const content = part.subarray(split + 4);
      if (name !== undefined) {
        yield [
          name,
          filename === undefined ? content.toString('utf8') : `<file ${filename}, ${content.length} bytes>`,
        ];
        // A file's name and text, so tests can read what the bot sent (sendDocument).
        if (filename !== undefined) {
          yield [`${name}.filename`, filename];
          yield [`${name}.content`, content.toString('utf8')];
        }
      }
    }
    start = end;
  }
}
