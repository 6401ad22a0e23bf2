import type { Update } from 'telegraf/types';
import type { Logger } from '../../lib/logger.js';
import { pause } from '../../lib/pause.js';
import { safeEqual } from '../../lib/secrets.js';
import type { Delivery, EventSink } from '../port.js';
import type { TelegramMessenger } from './connector.js';
import { ALLOWED_UPDATES, toEvent } from './updates.js';

/** Attempts within one webhook request: Telegram waits for the answer, so only a short while. */
const WEBHOOK_ATTEMPTS = 3;

export interface UpdateSourceOptions {
  /** Long-poll timeout in seconds. */
  pollTimeoutSeconds?: number;
  /** An update whose handling keeps failing is given up after this many attempts (and logged). */
  maxAttempts?: number;
}

/**
 * Brings Telegram updates to the core, by long polling or through the webhook. Unlike telegraf's own
 * polling and webhook callback, an update whose handling failed is not confirmed: polling retries it
 * before moving the offset, the webhook answers 500 so Telegram redelivers it.
 */
export class TelegramUpdateSource {
  private polling = false;
  private stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly failures = new Map<number, number>();
  private readonly pollTimeout: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly messenger: TelegramMessenger,
    private readonly sink: EventSink,
    private readonly log: Logger,
    options: UpdateSourceOptions = {},
  ) {
    this.pollTimeout = options.pollTimeoutSeconds ?? 25;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  /** Handles one update; resolves when its effect is committed, rejects if handling failed. */
  async dispatch(update: Update, delivery?: Delivery): Promise<void> {
    const event = toEvent(update, this.messenger.self.username, new Date());
    if (event) await this.sink(event, delivery);
  }

  async startPolling(): Promise<void> {
    await this.messenger.call('deleteWebhook', { drop_pending_updates: false });
    this.polling = true;
    this.stopController = new AbortController();
    this.loop = this.pollLoop();
  }

  async stop(): Promise<void> {
    this.polling = false;
    this.stopController.abort();
    await this.loop;
  }

  private async pollLoop(): Promise<void> {
    let offset = 0;
    let errorDelay = 1000;
    while (this.polling) {
      let updates: Update[];
      try {
        updates = await this.messenger.call<Update[]>(
          'getUpdates',
          { offset, timeout: this.pollTimeout, allowed_updates: ALLOWED_UPDATES },
          (this.pollTimeout + 15) * 1000,
          this.stopController.signal,
        );
        errorDelay = 1000;
      } catch (error) {
        if (!this.polling) break;
        this.log.warn({ err: error }, 'getUpdates failed; retrying');
        await this.pause(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 30_000);
        continue;
      }
      if (updates.length === 0) continue;
      // Updates of one batch go in together: the core keeps each chat's order and runs chats in parallel.
      await Promise.all(updates.map((update) => this.handleWithRetries(update)));
      offset = Math.max(...updates.map((update) => update.update_id)) + 1;
    }
  }

  /** The core retries the update in its chat's place; what still fails after maxAttempts is logged and left. */
  private async handleWithRetries(update: Update): Promise<void> {
    try {
      await this.dispatch(update, { attempts: this.maxAttempts, signal: this.stopController.signal });
    } catch (error) {
      if (!this.polling) return;
      this.log.error(
        { err: error, updateId: update.update_id, attempts: this.maxAttempts },
        'giving up on an update',
      );
    }
  }

  private pause(ms: number): Promise<void> {
    return pause(ms, this.stopController.signal);
  }

  /** Points Telegram at our webhook, naming every update type we use. */
  async setWebhook(url: string, secret: string): Promise<void> {
    await this.messenger.call('setWebhook', {
      url,
      secret_token: secret,
      allowed_updates: ALLOWED_UPDATES,
      max_connections: 40,
    });
  }

  /**
   * Handles one webhook request and returns the HTTP status to answer: 200 once the update's effect is
   * committed, 401 for a wrong secret, 400 for a body that is not an update, 500 so that Telegram
   * redelivers an update whose handling failed (up to `maxAttempts`, then it is logged and dropped).
   */
  async handleWebhook(secretHeader: string | undefined, body: string, secret: string): Promise<number> {
    if (!secretHeader || !safeEqual(secretHeader, secret)) return 401;
    let update: Update;
    try {
      update = JSON.parse(body) as Update;
    } catch {
      return 400;
    }
    if (!update || typeof update !== 'object' || typeof update.update_id !== 'number') return 400;
    try {
      // A few quick retries in order before the request fails; Telegram's redelivery comes later.
      await this.dispatch(update, { attempts: WEBHOOK_ATTEMPTS });
      this.failures.delete(update.update_id);
      return 200;
    } catch (error) {
      const attempts = (this.failures.get(update.update_id) ?? 0) + 1;
      if (attempts >= this.maxAttempts) {
        this.failures.delete(update.update_id);
        this.log.error({ err: error, updateId: update.update_id, attempts }, 'giving up on a webhook update');
        return 200;
      }
      this.failures.set(update.update_id, attempts);
      if (this.failures.size > 10_000) this.failures.clear();
      this.log.warn(
        { err: error, updateId: update.update_id, attempts },
        'webhook update failed; Telegram will redeliver',
      );
      return 500;
    }
  }
}
