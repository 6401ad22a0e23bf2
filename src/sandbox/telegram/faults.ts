import { ApiError, serverError, tooManyRequests } from './errors.js';
import type { ChaosOptions, Fault, FaultOptions, RateLimits } from './types.js';

/** What a call meets before it reaches its method. */
export type FaultDecision =
  | { readonly kind: 'fail'; readonly error: ApiError; readonly source: 'fault' | 'chaos' }
  | { readonly kind: 'delay'; readonly ms: number; readonly drop: boolean };

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
 * meets a status fault fails before its method runs, so state never changes.
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

  private chaos(method: string): FaultDecision | undefined {
    if (!this.chaosMode) return undefined;
    const { options, random } = this.chaosMode;
    const eligible = options.methods
      ? options.methods.some((m) => m.toLowerCase() === method.toLowerCase())
      : !TRANSPORT_METHODS.has(method);
    if (!eligible) return undefined;
    const draw = random();
    const rate5xx = options.rate5xx ?? 0;
    if (draw < rate5xx)
      return { kind: 'fail', error: serverError(options.status5xx ?? 502), source: 'chaos' };
    if (draw < rate5xx + (options.rate429 ?? 0)) {
      return { kind: 'fail', error: tooManyRequests(options.retryAfter ?? 1), source: 'chaos' };
    }
    return undefined;
  }
}

function decide(fault: Fault): FaultDecision {
  if ('timeoutMs' in fault) return { kind: 'delay', ms: fault.timeoutMs, drop: fault.drop ?? false };
  switch (fault.status) {
    case 429:
      return { kind: 'fail', error: tooManyRequests(fault.retryAfter), source: 'fault' };
    case 400:
      return {
        kind: 'fail',
        error: new ApiError(400, prefixed('Bad Request: ', fault.description)),
        source: 'fault',
      };
    case 403:
      return {
        kind: 'fail',
        error: new ApiError(403, prefixed('Forbidden: ', fault.description)),
        source: 'fault',
      };
    default:
      return { kind: 'fail', error: serverError(fault.status), source: 'fault' };
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

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * Telegram's flood limits in real (wall-clock) time, sliding windows over successful message-producing calls.
 * Each limit is off unless configured.
 */
export class RateLimiter {
  private readonly global: number[] = [];
  private readonly perChat = new Map<number, number[]>();
  private readonly extra: ReadonlySet<string>;

  constructor(
    private readonly limits: RateLimits | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.extra = new Set((limits?.countMethods ?? []).map((m) => m.toLowerCase()));
  }

  /** Whether calls of `method` count: send* (not sendChatAction), copy*, forward*, and `countMethods`. */
  counts(method: string): boolean {
    if (!this.limits) return false;
    const lower = method.toLowerCase();
    if (this.extra.has(lower)) return true;
    if (lower === 'sendchataction') return false;
    return lower.startsWith('send') || lower.startsWith('copymessage') || lower.startsWith('forwardmessage');
  }

  /** Seconds until a call into `chatId` fits every limit; 0 when it fits now. */
  retryAfter(chatId: number | undefined, isGroup: boolean): number {
    const limits = this.limits;
    if (!limits) return 0;
    const now = this.now();
    const chat = chatId === undefined ? [] : (this.perChat.get(chatId) ?? []);
    const waits = [
      wait(this.global, limits.globalPerSecond, SECOND, now),
      chatId === undefined ? 0 : wait(chat, limits.perChatPerSecond, SECOND, now),
      chatId === undefined || !isGroup ? 0 : wait(chat, limits.perChatPerMinute, MINUTE, now),
    ];
    const ms = Math.max(...waits);
    return ms > 0 ? Math.max(1, Math.ceil(ms / SECOND)) : 0;
  }

  /** Counts a call that went through. */
  record(chatId: number | undefined): void {
    const now = this.now();
    prune(this.global, now);
    this.global.push(now);
    if (chatId === undefined) return;
    const list = this.perChat.get(chatId) ?? [];
    prune(list, now);
    list.push(now);
    this.perChat.set(chatId, list);
  }
}

// Milliseconds until the window [now - windowMs, now] holds fewer than `limit` stamps.
function wait(stamps: readonly number[], limit: number | undefined, windowMs: number, now: number): number {
  if (limit === undefined) return 0;
  const inWindow = stamps.filter((t) => t > now - windowMs);
  if (inWindow.length < limit) return 0;
  const freeing = inWindow[inWindow.length - limit];
  return freeing === undefined ? 0 : freeing + windowMs - now;
}

function prune(stamps: number[], now: number): void {
  while (stamps.length > 0 && (stamps[0] ?? now) <= now - MINUTE) stamps.shift();
}
