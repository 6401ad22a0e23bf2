import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../lib/logger.js';
import type { InboundRoute } from '../messenger/connector.js';
import { BodyBudget, type HttpEnv, problem, unread } from './context.js';
import { type AnswerHeaders, RawInbound } from './raw-inbound.js';
import { securityHeaders } from './security.js';

/** Limits of the bot's HTTP port; every one has a default fit for production. */
export interface HttpServerOptions {
  /** Connections held at once; more are closed as they come (`HTTP_MAX_CONNECTIONS`). */
  maxConnections: number;
  /** Time for a request's headers to arrive; a connection still sending them then is closed. */
  headersTimeoutMs: number;
  /** Time for a whole request, body included, to arrive (408 and closed after it). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (above the 60 s of common load balancers). */
  keepAliveTimeoutMs: number;
  /** How often the server looks for connections past the two timeouts above. */
  connectionsCheckingIntervalMs: number;
  /** Bytes of request bodies being read at once, across all requests (503 past it). */
  bodyBudgetBytes: number;
  /** The port is reached over https (an https public URL): Strict-Transport-Security on every answer. */
  https: boolean;
}

export const HTTP_DEFAULTS: HttpServerOptions = {
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  connectionsCheckingIntervalMs: 1_000,
  bodyBudgetBytes: 16 * 1024 * 1024,
  https: false,
};

/** At most one warning about refused connections in this long. */
const DROP_WARNING_INTERVAL_MS = 60_000;

/**
 * One HTTP port for the webhooks, the school's API, `/healthz` and `/metrics` (SPEC: `HTTP_PORT`): a Hono
 * app served by @hono/node-server. Routes are added to {@link app} (sub-apps with `app.route('/', …)`);
 * answers are `cache-control: no-store` unless a route says otherwise and carry the security headers
 * (security.ts), an unknown path gets 404 and a known path with another method 405.
 */
export class HttpServer {
  readonly app = new Hono<HttpEnv>();
  readonly bodies: BodyBudget;
  private readonly server: Server;
  private readonly raw: RawInbound;
  private answerHeaders: AnswerHeaders = { plain: {}, strict: {} };
  private lastDropWarning = 0;

  constructor(
    private readonly log: Logger,
    options: Partial<HttpServerOptions> = {},
  ) {
    const limits = { ...HTTP_DEFAULTS, ...options };
    this.bodies = new BodyBudget(limits.bodyBudgetBytes);
    this.app.use(securityHeaders({ https: limits.https }));
    this.app.use(async (c, next) => {
      c.set('bodyBudget', this.bodies);
      c.header('cache-control', 'no-store');
      await next();
    });
    this.app.notFound((c) =>
      this.knownPath(c.req.path)
        ? problem(c, 405, 'method not allowed', {}, unread(c))
        : problem(c, 404, 'not found', {}, unread(c)),
    );
    this.app.onError((error, c) => this.failed(error, c));
    this.raw = new RawInbound(log, this.bodies, () => this.answerHeaders, limits.https);
    const framework = getRequestListener(this.app.fetch);
    this.server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      },
      (req, res) => {
        if (!this.raw.serve(req, res)) void framework(req, res);
      },
    );
    this.server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    this.server.maxConnections = limits.maxConnections;
    this.server.on('drop', () => {
      const now = Date.now();
      if (now - this.lastDropWarning < DROP_WARNING_INTERVAL_MS) return;
      this.lastDropWarning = now;
      this.log.warn(
        { maxConnections: limits.maxConnections },
        'HTTP connections refused: HTTP_MAX_CONNECTIONS reached',
      );
    });
  }

  /**
   * Serves a platform's webhook straight from Node's request (raw-inbound.ts): every update of every
   * chat comes this way, so it skips the framework's web Request and Response.
   */
  inbound(route: InboundRoute): void {
    this.raw.add(route);
  }

  private knownPath(path: string): boolean {
    return (
      this.raw.has(path) || this.app.routes.some((route) => route.method !== 'ALL' && route.path === path)
    );
  }

  private failed(error: Error, c: Context<HttpEnv>): Response {
    if (error instanceof HTTPException) return error.getResponse();
    const incoming = c.env?.incoming;
    if (incoming && (incoming.destroyed || incoming.errored || incoming.readableAborted)) {
      // The client went away while its body was being read: nobody is left to answer.
      this.log.debug({ err: error, path: c.req.path }, 'http request cut off by the client');
      return problem(c, 400, 'the request was cut off', {}, { connection: 'close' });
    }
    this.log.error({ err: error, path: c.req.path }, 'http handler failed');
    return problem(c, 500, 'internal error');
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    // The webhooks answer with the very headers the framework's middleware gives every answer.
    this.answerHeaders = {
      plain: await this.probeHeaders({}),
      strict: await this.probeHeaders({ 'x-forwarded-proto': 'https' }),
    };
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  private async probeHeaders(headers: Record<string, string>): Promise<Record<string, string>> {
    const response = await this.app.request('http://localhost/.well-known/ccm-header-probe', { headers });
    await response.arrayBuffer();
    const kept: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'content-type' && name !== 'content-length') kept[name] = value;
    });
    return kept;
  }

  /** Stops accepting connections and waits for requests in progress, at most `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      // Requests still running after the grace period are cut off.
      setTimeout(() => this.server.closeAllConnections(), graceMs).unref();
    });
  }
}
