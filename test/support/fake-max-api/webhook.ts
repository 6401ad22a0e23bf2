import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookDelivery, WireUpdate } from './types.js';

export interface Subscription {
  readonly url: string;
  readonly secret: string | undefined;
  readonly updateTypes: readonly string[] | undefined;
  readonly time: number;
}

export interface DelivererOptions {
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly httpsToLoopbackAsHttp: boolean;
}

const LOOPBACK_HTTPS = /^https:\/\/(127\.0\.0\.1|localhost)([:/]|$)/;

/**
 * Webhook subscriptions and deliveries: each update is POSTed as JSON (the bare `Update` object, as the Go
 * client's `stabs/webhook.*.json` show) to every subscription that wants its type, with the subscription's
 * secret in `X-Max-Bot-Api-Secret`. Anything but HTTP 200 is a failed delivery, retried after a delay that
 * doubles each time (schema: "exponentially increasing intervals … until 200 OK … not longer than 8 hours").
 * Updates are delivered independently of each other, so a retried one can arrive after later ones.
 */
export class WebhookDeliverer {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly subs = new Map<string, Subscription>();
  private readonly inflight = new Set<Promise<void>>();
  private controller = new AbortController();

  constructor(private readonly options: DelivererOptions) {}

  get subscriptions(): readonly Subscription[] {
    return [...this.subs.values()];
  }

  get active(): boolean {
    return this.subs.size > 0;
  }

  /** Adds or replaces the subscription for `url`. */
  subscribe(subscription: Subscription): void {
    this.subs.set(subscription.url, subscription);
  }

  unsubscribe(url: string): boolean {
    return this.subs.delete(url);
  }

  deliver(updateNumber: number, update: WireUpdate): void {
    for (const subscription of this.subs.values()) {
      if (subscription.updateTypes && !subscription.updateTypes.includes(update.update_type)) continue;
      const task = this.attempt(subscription, updateNumber, update).finally(() => this.inflight.delete(task));
      this.inflight.add(task);
    }
  }

  /** Resolves once every delivery under way succeeded or was given up. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Stops retrying and abandons deliveries under way. */
  stop(): void {
    this.controller.abort();
  }

  start(): void {
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }

  private async attempt(subscription: Subscription, updateNumber: number, update: WireUpdate): Promise<void> {
    const signal = this.controller.signal;
    const body = JSON.stringify(update);
    for (let attempt = 1; attempt <= this.options.maxAttempts && !signal.aborted; attempt += 1) {
      if (this.subs.get(subscription.url) !== subscription) return;
      const status = await this.post(subscription, body, signal);
      this.deliveries.push({
        url: subscription.url,
        updateNumber,
        updateType: update.update_type,
        attempt,
        status,
        secretSent: subscription.secret !== undefined,
      });
      if (status === 200) return;
      const delay = Math.min(this.options.retryBaseMs * 2 ** (attempt - 1), this.options.retryMaxMs);
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }

  private async post(
    subscription: Subscription,
    body: string,
    signal: AbortSignal,
  ): Promise<number | 'error'> {
    const target =
      this.options.httpsToLoopbackAsHttp && LOOPBACK_HTTPS.test(subscription.url)
        ? `http://${subscription.url.slice('https://'.length)}`
        : subscription.url;
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(subscription.secret !== undefined && { 'x-max-bot-api-secret': subscription.secret }),
        },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 'error';
    }
  }
}
