import type { ChaosOptions, Fault, FaultOptions } from './types.js';

interface QueuedFault {
  readonly route: string;
  readonly fault: Fault;
  remaining: number;
}

/** Queued faults matched by route (`'*'` matches every route), first in first out. */
export class FaultQueue {
  private queued: QueuedFault[] = [];

  add(route: string, fault: Fault, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new RangeError('times must be positive');
    this.queued.push({ route, fault, remaining: times });
  }

  clear(): void {
    this.queued = [];
  }

  get size(): number {
    return this.queued.reduce((sum, q) => sum + q.remaining, 0);
  }

  /** The fault this call meets, if any, using up one of its times. */
  take(route: string): Fault | undefined {
    const index = this.queued.findIndex((q) => q.route === '*' || q.route === route);
    const match = this.queued[index];
    if (!match) return undefined;
    match.remaining -= 1;
    if (match.remaining <= 0) this.queued.splice(index, 1);
    return match.fault;
  }
}

/** Seeded random faults: the same seed and the same calls give the same faults. */
export class Chaos {
  private state: number;
  private readonly exempt: ReadonlySet<string>;

  constructor(private readonly options: ChaosOptions) {
    this.state = options.seed >>> 0;
    this.exempt = new Set(options.exempt ?? ['GET /updates', 'GET /me']);
  }

  draw(route: string): Fault | undefined {
    if (this.exempt.has(route)) return undefined;
    const roll = this.next();
    let edge = this.options.tooManyRequests ?? 0;
    if (roll < edge)
      return { kind: 'error', status: 429, code: 'too.many.requests', message: 'Too many requests' };
    edge += this.options.serverError ?? 0;
    if (roll < edge)
      return { kind: 'error', status: 503, code: 'internal.error', message: 'Service unavailable' };
    edge += this.options.lost ?? 0;
    if (roll < edge) return { kind: 'lost', status: this.next() < 0.5 ? 502 : 'drop' };
    return undefined;
  }

  // mulberry32
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * A limit of `perSecond` accepted events per key over a sliding one-second window of real time (the
 * injectable clock is for timestamps, not pacing). Refused attempts do not take a slot. Remembers the
 * busiest window seen.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, number[]>();
  private busiest = 0;

  constructor(private perSecond: number | false) {}

  setLimit(perSecond: number | false): void {
    this.perSecond = perSecond;
  }

  /** Takes a slot for `key` now, or returns false when its window is full. */
  admit(key: string, now: number = performance.now()): boolean {
    const stamps = this.windows.get(key) ?? [];
    while (stamps.length > 0 && (stamps[0] ?? 0) <= now - 1000) stamps.shift();
    this.windows.set(key, stamps);
    if (this.perSecond !== false && stamps.length >= this.perSecond) return false;
    stamps.push(now);
    this.busiest = Math.max(this.busiest, stamps.length);
    return true;
  }

  get maxPerSecond(): number {
    return this.busiest;
  }
}
