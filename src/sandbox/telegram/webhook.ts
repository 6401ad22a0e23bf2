import http from 'node:http';
import https from 'node:https';
import type { UpdateCounters } from './stats.js';
import type { WebhookDelivery } from './types.js';
import type { QueuedUpdate, UpdateQueue } from './updates.js';

/** The webhook as set by setWebhook. */
export interface WebhookConfig {
  readonly url: string;
  readonly secretToken: string;
  readonly maxConnections: number;
}

/** A method call found in a webhook response body (`{"method": "sendMessage", …}`). */
export type WebhookReply = (method: string, params: Record<string, unknown>) => Promise<void>;

export interface WebhookOptions {
  readonly retryDelayMs: number;
  readonly timeoutMs: number;
  readonly clock: () => Date;
  readonly onReply: WebhookReply;
  /** `webhookRetries` counts redeliveries. */
  readonly counters: UpdateCounters;
}

interface Attempt {
  readonly status: number | 'error';
  readonly error?: string;
  readonly retryAfter?: number;
  readonly body?: string;
  readonly contentType?: string;
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Pushes queued updates to the webhook like telegram-bot-api's WebhookActor: one request at a time per queue key
 * (a chat's messages stay in order), up to `max_connections` at once, `X-Telegram-Bot-Api-Secret-Token` when a
 * secret is set, redelivery after a non-2xx answer or a network error with a doubling delay (or the receiver's
 * `Retry-After`), and execution of a method returned in a 2xx response body. A failed update keeps its place and
 * its chat's later updates wait behind it; a duplicated update (same update_id) is a queue entry of its own and is
 * delivered after the original, not taken away with it.
 */
export class WebhookDispatcher {
  /** Every delivery attempt, in order. */
  readonly deliveries: WebhookDelivery[] = [];
  private config: WebhookConfig | undefined;
  private generation = 0;
  private readonly busyKeys = new Set<string>();
  private readonly controllers = new Set<AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private lastError: { date: number; message: string } | undefined;

  constructor(
    private readonly queue: UpdateQueue,
    private readonly options: WebhookOptions,
  ) {
    queue.onPush(() => this.pump());
  }

  /** The active webhook, if any. */
  current(): WebhookConfig | undefined {
    return this.config;
  }

  /** Starts delivering to a new webhook (the previous one, if any, stops first). */
  set(config: WebhookConfig): void {
    this.stopDeliveries();
    this.config = config;
    this.lastError = undefined;
    this.pump();
  }

  /** Stops delivering; undelivered updates stay queued for getUpdates. */
  delete(): void {
    this.stopDeliveries();
    this.config = undefined;
  }

  /** The last delivery error, for getWebhookInfo. */
  error(): { date: number; message: string } | undefined {
    return this.lastError;
  }

  /** Aborts in-flight deliveries and pending retries, keeping the webhook set (server stop). */
  pause(): void {
    this.stopDeliveries();
  }

  /** Delivers again after {@link WebhookDispatcher.pause} (server start). */
  resume(): void {
    this.pump();
  }

  private stopDeliveries(): void {
    this.generation++;
    for (const controller of this.controllers) controller.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.controllers.clear();
    this.timers.clear();
    this.busyKeys.clear();
    this.inFlight = 0;
  }

  private pump(): void {
    const config = this.config;
    if (!config) return;
    const blocked = new Set(this.busyKeys);
    for (const entry of this.queue.pending()) {
      if (this.inFlight >= config.maxConnections) return;
      if (blocked.has(entry.key)) continue;
      blocked.add(entry.key);
      this.busyKeys.add(entry.key);
      this.attempt(config, entry, this.options.retryDelayMs);
    }
  }

  private attempt(config: WebhookConfig, entry: QueuedUpdate, retryDelayMs: number): void {
    const generation = this.generation;
    const controller = new AbortController();
    this.controllers.add(controller);
    this.inFlight++;
    void post(config, JSON.stringify(entry.update), this.options.timeoutMs, controller.signal).then(
      async (result) => {
        this.controllers.delete(controller);
        if (generation !== this.generation) return;
        this.inFlight--;
        const at = this.options.clock();
        this.deliveries.push({
          update_id: entry.update.update_id,
          status: result.status,
          ...(result.error !== undefined && { error: result.error }),
          at,
        });
        if (typeof result.status === 'number' && result.status >= 200 && result.status < 300) {
          this.queue.remove(entry);
          this.busyKeys.delete(entry.key);
          await this.runReply(result).catch(() => undefined);
          this.pump();
          return;
        }
        this.lastError = {
          date: Math.floor(at.getTime() / 1000),
          message: result.error ?? `Wrong response from the webhook: ${result.status}`,
        };
        const delay = result.retryAfter !== undefined ? result.retryAfter * 1000 : retryDelayMs;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (generation !== this.generation) return;
          if (!this.queue.has(entry)) {
            this.busyKeys.delete(entry.key);
            this.pump();
            return;
          }
          this.options.counters.webhookRetries += 1;
          this.attempt(config, entry, Math.min(retryDelayMs * 2, MAX_RETRY_DELAY_MS));
        }, delay);
        this.timers.add(timer);
      },
    );
  }

  // telegram-bot-api runs a method found in a 2xx answer, except webhook management and getters.
  private async runReply(result: Attempt): Promise<void> {
    if (!result.body || !result.contentType?.includes('application/json')) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.body);
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
    const { method, ...params } = parsed as Record<string, unknown>;
    if (typeof method !== 'string' || method === '') return;
    const lower = method.toLowerCase();
    if (['deletewebhook', 'setwebhook', 'close', 'logout'].includes(lower) || lower.startsWith('get')) return;
    await this.options.onReply(method, params);
  }
}

function post(config: WebhookConfig, body: string, timeoutMs: number, signal: AbortSignal): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (attempt: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const url = new URL(config.url);
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(config.secretToken !== '' && { 'x-telegram-bot-api-secret-token': config.secretToken }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => finish({ status: 'error', error: error.message }));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const retryAfter = Number(response.headers['retry-after']);
          finish({
            status,
            ...(status < 200 || status > 299
              ? {
                  error:
                    `Wrong response from the webhook: ${status} ${response.statusMessage ?? ''}`.trimEnd(),
                }
              : {}),
            ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfter }),
            body: Buffer.concat(chunks).toString('utf8'),
            ...(response.headers['content-type'] !== undefined && {
              contentType: response.headers['content-type'],
            }),
          });
        });
      },
    );
    const timer = setTimeout(() => request.destroy(new Error('Read timeout expired')), timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ status: 'error', error: describe(error) }),
    );
    request.end(body);
  });
}

function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ECONNRESET':
      return 'Webhook connection closed';
    case 'ENOTFOUND':
      return 'Failed to resolve host: Name or service not known';
    default:
      return error.message;
  }
}
