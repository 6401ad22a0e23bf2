import { MessengerError } from '../port.js';

/** A window this short is waited out in the call; a longer one is handed back to the caller as a 429. */
const WAIT_AT_MOST_MS = 5000;

/**
 * 429 means wait: after a platform answered a method for a chat with "retry after n seconds", no call of
 * that method to that chat goes out before the n seconds have passed — whoever makes it (the outbox, a
 * retried update, a button's answer, a membership check). A call inside a short window waits it out; inside
 * a longer one it fails at once with RATE_LIMITED and the time left, without reaching the platform.
 */
export class RetryAfterGate {
  private readonly notBefore = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Remembers a 429's window for this method and chat. */
  refused(method: string, chat: string, retryAfterSeconds: number): void {
    const key = `${method} ${chat}`;
    const until = this.now() + retryAfterSeconds * 1000;
    if (until > (this.notBefore.get(key) ?? 0)) this.notBefore.set(key, until);
  }

  /** Resolves when a call of this method to this chat may go out (see the class). */
  async pass(method: string, chat: string, signal?: AbortSignal): Promise<void> {
    const key = `${method} ${chat}`;
    const until = this.notBefore.get(key);
    if (until === undefined) return;
    const left = until - this.now();
    if (left <= 0) {
      this.notBefore.delete(key);
      return;
    }
    if (left > WAIT_AT_MOST_MS) {
      throw new MessengerError(
        'RATE_LIMITED',
        `${method}: waiting out a 429 (${Math.ceil(left / 1000)} s left)`,
        {
          retryAfterSeconds: Math.ceil(left / 1000),
        },
      );
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, left + 5);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
}
