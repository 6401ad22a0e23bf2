import { randomBytes } from 'node:crypto';
import type { PollRequest, WireEvent } from './types.js';

/** VK holds a Bots Long Poll request at most this long, whatever `wait` says. */
const MAX_WAIT_SECONDS = 90;
/** Events per answer; the rest come with the next request. */
const BATCH = 100;

/**
 * Every event the community received, numbered from 1, and the Bots Long Poll server over them. `ts` is the
 * number of the last event a client has seen: `a_check` answers the events after it and the new `ts`, so a
 * client that asks again with the old `ts` gets the same events again (nothing is confirmed until then).
 */
export class EventLog {
  readonly requests: PollRequest[] = [];
  private readonly events: WireEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly listeners: Array<(event: WireEvent) => void> = [];
  private key = newKey();

  push(event: WireEvent): void {
    this.events.push(event);
    for (const wake of [...this.waiters]) wake();
    for (const listener of this.listeners) listener(event);
  }

  onPush(listener: (event: WireEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Number of the newest event (what groups.getLongPollServer returns as `ts`). */
  get ts(): number {
    return this.events.length;
  }

  get all(): readonly WireEvent[] {
    return this.events;
  }

  currentKey(): string {
    return this.key;
  }

  /** The key stops working (`failed: 2`): the client must call groups.getLongPollServer again. */
  expireKey(): void {
    this.key = newKey();
  }

  /** Answers every held request now (server stop). */
  releaseAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** One `act=a_check` request; it is logged on arrival and completed when answered. */
  async check(
    params: { key: string; ts: string; wait: string },
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const logged: { -readonly [K in keyof PollRequest]: PollRequest[K] } = {
      ts: params.ts,
      key: params.key,
      returned: 0,
    };
    this.requests.push(logged);
    if (params.key !== this.key) {
      logged.failed = 2;
      return { failed: 2 };
    }
    const ts = Number(params.ts);
    if (!Number.isInteger(ts) || ts < 0 || ts > this.events.length) {
      logged.failed = 1;
      return { failed: 1, ts: String(this.events.length) };
    }
    const waitSeconds = Math.min(Math.max(Number(params.wait) || 0, 0), MAX_WAIT_SECONDS);
    if (ts === this.events.length && waitSeconds > 0) await this.hold(waitSeconds * 1000, signal);
    const updates = this.events.slice(ts, ts + BATCH);
    logged.returned = updates.length;
    return { ts: String(ts + updates.length), updates };
  }

  private hold(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener('abort', done);
    });
  }
}

function newKey(): string {
  return randomBytes(20).toString('hex');
}
