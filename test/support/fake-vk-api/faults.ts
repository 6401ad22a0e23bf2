import type { Fault, FaultOptions } from './types.js';

interface QueuedFault {
  readonly method: string;
  readonly fault: Fault;
  remaining: number;
}

/** Queued failures matched by method name (`'*'` matches every API method), first in first out. */
export class FaultInjector {
  private queued: QueuedFault[] = [];

  add(method: string, fault: Fault, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new RangeError('times must be positive');
    this.queued.push({ method, fault, remaining: times });
  }

  clear(): void {
    this.queued = [];
  }

  /** The fault the call meets, if any, using up one of its times. */
  take(method: string): Fault | undefined {
    const index = this.queued.findIndex((q) => q.method === '*' || q.method === method);
    const match = this.queued[index];
    if (!match) return undefined;
    match.remaining -= 1;
    if (match.remaining <= 0) this.queued.splice(index, 1);
    return match.fault;
  }
}

/**
 * VK's per-token request limit over a sliding one-second window of real time (the injectable clock is for
 * dates, not for pacing). Only accepted calls count. Also remembers the busiest second seen.
 */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private busiest = 0;

  constructor(private perSecond: number | false) {}

  setLimit(perSecond: number | false): void {
    this.perSecond = perSecond;
  }

  /** Takes a slot for `token` now, or returns false when the window is full. */
  admit(token: string, now: number = performance.now()): boolean {
    const stamps = this.windows.get(token) ?? [];
    while (stamps.length > 0 && (stamps[0] ?? 0) <= now - 1000) stamps.shift();
    if (this.perSecond !== false && stamps.length >= this.perSecond) {
      this.windows.set(token, stamps);
      return false;
    }
    stamps.push(now);
    this.windows.set(token, stamps);
    this.busiest = Math.max(this.busiest, stamps.length);
    return true;
  }

  /** Most calls accepted within one second so far. */
  get maxPerSecond(): number {
    return this.busiest;
  }
}
