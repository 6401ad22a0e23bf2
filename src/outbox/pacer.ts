/**
 * Keeps message sends inside Telegram's limits so a burst does not earn 429s: about 30 messages a
 * second overall, one a second in a chat and 20 a minute in a group. Sliding windows over real time,
 * per process.
 */
export interface PacingLimits {
  globalPerSecond: number;
  chatPerSecond: number;
  groupPerMinute: number;
}

export const TELEGRAM_LIMITS: PacingLimits = { globalPerSecond: 30, chatPerSecond: 1, groupPerMinute: 20 };

/**
 * Windows are this much longer than the limits say: a slot is taken when a call starts, Telegram counts
 * it when it arrives, and a few milliseconds of jitter between two calls must not earn a 429.
 */
const MARGIN = 1.05;

class SlidingWindow {
  private readonly stamps: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until one more event fits. */
  delay(now: number): number {
    while (this.stamps.length > 0 && (this.stamps[0] ?? 0) <= now - this.windowMs) this.stamps.shift();
    if (this.stamps.length < this.limit) return 0;
    return (this.stamps[this.stamps.length - this.limit] ?? now) + this.windowMs - now;
  }

  record(now: number): void {
    this.stamps.push(now);
  }

  get empty(): boolean {
    return this.stamps.length === 0;
  }
}

export class Pacer {
  private readonly global: SlidingWindow | undefined;
  private readonly lanes = new Map<string, { second: SlidingWindow; minute: SlidingWindow | undefined }>();

  constructor(
    private readonly limits: PacingLimits | null,
    private readonly now: () => number = Date.now,
  ) {
    this.global = limits ? new SlidingWindow(limits.globalPerSecond, 1000 * MARGIN) : undefined;
  }

  /**
   * Takes a slot for a message to `lane` and returns 0, or returns how long to wait (taking nothing).
   * `group` lanes also get the per-group limit.
   */
  reserve(lane: string, group: boolean): number {
    if (!this.limits || !this.global) return 0;
    const now = this.now();
    let windows = this.lanes.get(lane);
    if (!windows) {
      windows = {
        second: new SlidingWindow(this.limits.chatPerSecond, 1000 * MARGIN),
        minute: group ? new SlidingWindow(this.limits.groupPerMinute, 60_000 * MARGIN) : undefined,
      };
      this.lanes.set(lane, windows);
    }
    const wait = Math.max(this.global.delay(now), windows.second.delay(now), windows.minute?.delay(now) ?? 0);
    if (wait > 0) return wait;
    this.global.record(now);
    windows.second.record(now);
    windows.minute?.record(now);
    if (this.lanes.size > 5000) this.prune(now);
    return 0;
  }

  private prune(now: number): void {
    for (const [lane, windows] of this.lanes) {
      const idle = (window: SlidingWindow | undefined) =>
        !window || (window.delay(now) === 0 && window.empty);
      if (idle(windows.second) && idle(windows.minute)) this.lanes.delete(lane);
    }
  }
}
