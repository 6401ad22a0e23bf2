import type { EarlyRetry, FaultKind, Stats } from './types.js';

/** Update counters the queue and the webhook dispatcher bump. */
export interface UpdateCounters {
  created: number;
  duplicated: number;
  redelivered: number;
  webhookRetries: number;
}

const FAULT_KINDS: readonly FaultKind[] = [
  'status5xx',
  'status429',
  'status4xx',
  'timeoutDrop',
  'indeterminate5xx',
  'indeterminateTimeout',
];

/** Every counter behind {@link FakeBotApi.stats}, resettable as a whole. */
export class StatsCollector {
  calls = 0;
  failedCalls = 0;
  tooManyRequests = 0;
  rateLimited = 0;
  rateLimitedMemberActions = 0;
  readonly updates: UpdateCounters = { created: 0, duplicated: 0, redelivered: 0, webhookRetries: 0 };
  private faultsByKind = zeroKinds();
  private indeterminateByMethod = new Map<string, number>();
  private earlyRetries: EarlyRetry[] = [];

  /** Counts one injected failure (a status fault, a dropped timeout, or an indeterminate one) of `method`. */
  injected(kind: FaultKind, method: string): void {
    this.faultsByKind[kind]++;
    if (kind === 'indeterminate5xx' || kind === 'indeterminateTimeout') {
      this.indeterminateByMethod.set(method, (this.indeterminateByMethod.get(method) ?? 0) + 1);
    }
  }

  earlyRetry(retry: EarlyRetry): void {
    this.earlyRetries.push(retry);
  }

  /** Zeroes every counter; `held` is a gauge and is passed in by the caller. */
  reset(): void {
    this.calls = 0;
    this.failedCalls = 0;
    this.tooManyRequests = 0;
    this.rateLimited = 0;
    this.rateLimitedMemberActions = 0;
    Object.assign(this.updates, { created: 0, duplicated: 0, redelivered: 0, webhookRetries: 0 });
    this.faultsByKind = zeroKinds();
    this.indeterminateByMethod = new Map();
    this.earlyRetries = [];
  }

  /** A copy of the counters, with the number of updates held back right now. */
  snapshot(held: number): Stats {
    const faultsByKind = { ...this.faultsByKind };
    return {
      calls: this.calls,
      failedCalls: this.failedCalls,
      tooManyRequests: this.tooManyRequests,
      rateLimited: this.rateLimited,
      rateLimitedMemberActions: this.rateLimitedMemberActions,
      injectedFaults: FAULT_KINDS.reduce((sum, kind) => sum + faultsByKind[kind], 0),
      faultsByKind,
      indeterminateFaults: Object.fromEntries(this.indeterminateByMethod),
      earlyRetries: [...this.earlyRetries],
      updates: { ...this.updates, held },
    };
  }
}

function zeroKinds(): Record<FaultKind, number> {
  return {
    status5xx: 0,
    status429: 0,
    status4xx: 0,
    timeoutDrop: 0,
    indeterminate5xx: 0,
    indeterminateTimeout: 0,
  };
}
