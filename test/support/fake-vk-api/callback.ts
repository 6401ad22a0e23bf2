import type { CallbackDelivery, WireEvent } from './types.js';

export interface CallbackOptions {
  readonly groupId: number;
  readonly retryDelayMs: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
}

interface Server {
  readonly url: string;
  readonly secret: string | undefined;
}

/**
 * The Callback API side of VK: a server is added only after it answers the `confirmation` event with the
 * community's confirmation code; then every event is POSTed to it as JSON (with `secret` when one is set),
 * one at a time and in order. An answer other than HTTP 200 with the body `ok` makes VK send the event
 * again after a pause, up to `maxAttempts` times; then VK moves on without it.
 */
export class CallbackDeliverer {
  readonly deliveries: CallbackDelivery[] = [];
  private server: Server | undefined;
  private readonly queue: WireEvent[] = [];
  private pumping: Promise<void> | undefined;
  private stopped = false;
  private controller = new AbortController();

  constructor(private readonly options: CallbackOptions) {}

  /**
   * Asks `url` to confirm (`{"type": "confirmation", "group_id": …}`) and, if its answer is
   * `confirmationCode`, starts delivering events there. Events from before are not sent.
   */
  async setServer(url: string, confirmationCode: string, secret?: string): Promise<boolean> {
    const attempt = await this.post(
      url,
      JSON.stringify({ type: 'confirmation', group_id: this.options.groupId }),
    );
    this.deliveries.push({ eventId: '', type: 'confirmation', status: attempt.status, body: attempt.body });
    if (attempt.status !== 200 || attempt.body.trim() !== confirmationCode) return false;
    this.server = { url, secret };
    return true;
  }

  removeServer(): void {
    this.server = undefined;
    this.queue.length = 0;
  }

  enqueue(event: WireEvent): void {
    if (!this.server || this.stopped) return;
    this.queue.push(event);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  /** Resolves once every queued event was delivered or given up. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  stop(): void {
    this.stopped = true;
    this.controller.abort();
  }

  start(): void {
    this.stopped = false;
    this.controller = new AbortController();
  }

  private async pump(): Promise<void> {
    for (let event = this.queue.shift(); event; event = this.queue.shift()) {
      for (let attempt = 1; attempt <= this.options.maxAttempts && !this.stopped; attempt += 1) {
        const server = this.server;
        if (!server) return;
        const body = JSON.stringify({
          ...event,
          ...(server.secret !== undefined && { secret: server.secret }),
        });
        const result = await this.post(server.url, body);
        this.deliveries.push({ eventId: event.event_id, type: event.type, ...result });
        if (result.status === 200 && result.body === 'ok') break;
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      }
    }
  }

  private async post(url: string, body: string): Promise<{ status: number | 'error'; body: string }> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { status: 'error', body: error instanceof Error ? error.message : String(error) };
    }
  }
}
