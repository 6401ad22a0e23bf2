/**
 * Keeps message sends inside Telegram's limits so a burst does not earn 429s: about 30 messages a
 * second overall and 20 a minute per group. Sliding windows over real time, per process.
 */
export interface PacingLimits {
  globalPerSecond: number;
  groupPerMinute: number;
}

export const TELEGRAM_LIMITS: PacingLimits = { globalPerSecond: 30, groupPerMinute: 20 };

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
  private readonly lanes = new Map<string, SlidingWindow>();

  constructor(
    private readonly limits: PacingLimits | null,
    private readonly now: () => number = Date.now,
  ) {
    this.global = limits ? new SlidingWindow(limits.globalPerSecond, 1000) : undefined;
  }

  /**
   * Takes a slot for a message to `lane` and returns 0, or returns how long to wait (taking nothing).
   * `group` lanes also get the per-group limit.
   */
  reserve(lane: string, group: boolean): number {
    if (!this.limits || !this.global) return 0;
    const now = this.now();
    let window = group ? this.lanes.get(lane) : undefined;
    if (group && !window) {
      window = new SlidingWindow(this.limits.groupPerMinute, 60_000);
      this.lanes.set(lane, window);
    }
    const wait = Math.max(this.global.delay(now), window?.delay(now) ?? 0);
    if (wait > 0) return wait;
    this.global.record(now);
    window?.record(now);
    if (this.lanes.size > 5000) this.prune(now);
    return 0;
  }

  private prune(now: number): void {
    for (const [lane, window] of this.lanes)
      if (window.delay(now) === 0 && window.empty) this.lanes.delete(lane);
  }
}
