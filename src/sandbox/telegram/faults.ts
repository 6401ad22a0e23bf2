import { ApiError, serverError, tooManyRequests } from './errors.js';
import type { ChaosOptions, Fault, FaultKind, FaultOptions } from './types.js';

/** How an indeterminate fault loses the answer of a call that ran. */
export type LostAnswer =
  | { readonly as: 'status'; readonly status: 500 | 502 | 503 }
  | { readonly as: 'timeout'; readonly holdMs: number };

/** What a call meets before it reaches its method. */
export type FaultDecision =
  | {
      readonly kind: 'fail';
      readonly error: ApiError;
      readonly faultKind: FaultKind;
      readonly source: 'fault' | 'chaos';
    }
  | { readonly kind: 'delay'; readonly ms: number; readonly drop: boolean }
  | { readonly kind: 'indeterminate'; readonly lost: LostAnswer; readonly source: 'fault' | 'chaos' };

/** Methods that carry updates rather than actions: `'*'` faults and default chaos leave them alone. */
const TRANSPORT_METHODS: ReadonlySet<string> = new Set([
  'getUpdates',
  'setWebhook',
  'deleteWebhook',
  'getWebhookInfo',
]);

interface QueuedFault {
  readonly method: string;
  readonly fault: Fault;
  readonly chatId: string | undefined;
  remaining: number;
}

/**
 * Injected failures: a FIFO of queued faults matched by method (and chat), and a seeded chaos mode. A call that
 * meets a status fault fails before its method runs, so state never changes; an indeterminate fault lets the
 * method run and loses its answer.
 */
export class FaultInjector {
  private queued: QueuedFault[] = [];
  private chaosMode: { readonly options: ChaosOptions; readonly random: () => number } | undefined;

  /** Queues a fault for the next matching call(s). */
  add(method: string, fault: Fault, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new RangeError('times must be positive');
    this.queued.push({
      method: method === '*' ? '*' : method.toLowerCase(),
      fault,
      chatId: options.chatId === undefined ? undefined : String(options.chatId),
      remaining: times,
    });
  }

  /** Forgets queued faults (chaos stays as set). */
  clear(): void {
    this.queued = [];
  }

  /** Turns chaos on with a fresh PRNG, or off with null. */
  setChaos(options: ChaosOptions | null): void {
    this.chaosMode = options ? { options, random: mulberry32(options.seed) } : undefined;
  }

  /**
   * The fault the call meets, if any, consuming one use of a queued fault or one chaos draw.
   * @param method canonical method name
   * @param chatId the call's `chat_id` as received, or '' when absent
   */
  take(method: string, chatId: string): FaultDecision | undefined {
    const lower = method.toLowerCase();
    const index = this.queued.findIndex(
      (q) =>
        (q.method === '*' ? !TRANSPORT_METHODS.has(method) : q.method === lower) &&
        (q.chatId === undefined || q.chatId === chatId),
    );
    const match = this.queued[index];
    if (match) {
      match.remaining--;
      if (match.remaining <= 0) this.queued.splice(index, 1);
      return decide(match.fault);
    }
    return this.chaos(method);
  }

  // One draw per eligible call; the bands are 5xx, then 429, then indeterminate, so adding a rate never changes
  // which calls the earlier bands hit for a seed.
  private chaos(method: string): FaultDecision | undefined {
    if (!this.chaosMode) return undefined;
    const { options, random } = this.chaosMode;
    const eligible = options.methods
      ? options.methods.some((m) => m.toLowerCase() === method.toLowerCase())
      : !TRANSPORT_METHODS.has(method);
    if (!eligible) return undefined;
    const draw = random();
    const rate5xx = options.rate5xx ?? 0;
    const rate429 = options.rate429 ?? 0;
    const rateIndeterminate = options.rateIndeterminate ?? 0;
    const status = options.status5xx ?? 502;
    if (draw < rate5xx) {
      return { kind: 'fail', error: serverError(status), faultKind: 'status5xx', source: 'chaos' };
    }
    if (draw < rate5xx + rate429) {
      const error = tooManyRequests(options.retryAfter ?? 1);
      return { kind: 'fail', error, faultKind: 'status429', source: 'chaos' };
    }
    const band = draw - rate5xx - rate429;
    if (band < rateIndeterminate) {
      const as = options.indeterminateAs ?? 'both';
      const timeout = as === 'timeout' || (as === 'both' && band >= rateIndeterminate / 2);
      const lost: LostAnswer = timeout
        ? { as: 'timeout', holdMs: options.indeterminateHoldMs ?? 0 }
        : { as: 'status', status };
      return { kind: 'indeterminate', lost, source: 'chaos' };
    }
    return undefined;
  }
}

function decide(fault: Fault): FaultDecision {
  if ('timeoutMs' in fault) return { kind: 'delay', ms: fault.timeoutMs, drop: fault.drop ?? false };
  if ('indeterminate' in fault) {
    const lost: LostAnswer =
      fault.indeterminate === 'timeout'
        ? { as: 'timeout', holdMs: fault.holdMs ?? 0 }
        : { as: 'status', status: fault.indeterminate };
    return { kind: 'indeterminate', lost, source: 'fault' };
  }
  const fail = (error: ApiError, faultKind: FaultKind): FaultDecision => ({
    kind: 'fail',
    error,
    faultKind,
    source: 'fault',
  });
  switch (fault.status) {
    case 429:
      return fail(tooManyRequests(fault.retryAfter), 'status429');
    case 400:
      return fail(new ApiError(400, prefixed('Bad Request: ', fault.description)), 'status4xx');
    case 403:
      return fail(new ApiError(403, prefixed('Forbidden: ', fault.description)), 'status4xx');
    default:
      return fail(serverError(fault.status), 'status5xx');
  }
}

// Accept both "chat not found" and "Bad Request: chat not found".
function prefixed(prefix: string, description: string): string {
  return description.startsWith(prefix) ? description : `${prefix}${description}`;
}

/** Mulberry32: a small seeded PRNG, so chaos runs repeat exactly for the same seed and call sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
