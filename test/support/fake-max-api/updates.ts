import type { PollRequest, WireUpdate } from './types.js';

interface Entry {
  /** Sequence number; the `marker` a response carries is the number of the next update expected. */
  readonly number: number;
  readonly update: WireUpdate;
}

export interface PollParams {
  readonly marker: number | undefined;
  readonly limit: number;
  readonly timeoutS: number;
  readonly types: readonly string[] | undefined;
}

/**
 * The long-polling queue of `GET /updates` (schema, getUpdates): every update has a sequence number and a
 * response's `marker` points at the next one. Passing `marker` commits everything before it; a request
 * without it gets everything after the last commit. So an update is delivered again, to any request, until a
 * later marker has been passed. Updates numbered from 1 (the client drops a falsy marker, so 0 never appears).
 */
export class UpdateQueue {
  readonly requests: PollRequest[] = [];
  private readonly entries: Entry[] = [];
  private nextNumber = 1;
  /** Number of the first uncommitted update. */
  private committed = 1;
  private readonly waiters = new Set<() => void>();
  private released = false;

  constructor(private readonly maxHoldMs: number) {}

  push(update: WireUpdate): number {
    const number = this.nextNumber++;
    this.entries.push({ number, update });
    for (const wake of [...this.waiters]) wake();
    return number;
  }

  /** Updates not yet committed, in order. */
  get pending(): readonly WireUpdate[] {
    return this.entries.filter((entry) => entry.number >= this.committed).map((entry) => entry.update);
  }

  /** Answers every held request now and holds no more (server stop); `resume` undoes it. */
  releaseAll(): void {
    this.released = true;
    for (const wake of [...this.waiters]) wake();
  }

  resume(): void {
    this.released = false;
  }

  async poll(params: PollParams, signal: AbortSignal): Promise<{ updates: WireUpdate[]; marker: number }> {
    const logged: PollRequest = { ...params, returned: 0 };
    this.requests.push(logged);
    if (params.marker !== undefined) {
      this.committed = Math.min(Math.max(this.committed, params.marker), this.nextNumber);
    }
    this.dropCommitted();
    let answer = this.scan(params);
    // Held until a wanted update arrives (one of another type wakes the hold but does not end it).
    const deadline = performance.now() + Math.min(params.timeoutS * 1000, this.maxHoldMs);
    while (answer.updates.length === 0 && !signal.aborted && !this.released && performance.now() < deadline) {
      await this.hold(deadline - performance.now(), signal);
      answer = this.scan(params);
    }
    logged.returned = answer.updates.length;
    return answer;
  }

  // Skipped (filtered out) updates count as passed: the marker moves beyond them.
  private scan(params: PollParams): { updates: WireUpdate[]; marker: number } {
    const updates: WireUpdate[] = [];
    let marker = this.committed;
    for (const entry of this.entries) {
      if (entry.number < this.committed) continue;
      marker = entry.number + 1;
      if (params.types && !params.types.includes(entry.update.update_type)) continue;
      updates.push(entry.update);
      if (updates.length >= params.limit) break;
    }
    return { updates, marker };
  }

  private dropCommitted(): void {
    while (this.entries.length > 0 && (this.entries[0]?.number ?? Infinity) < this.committed) {
      this.entries.shift();
    }
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
