import { MEMBER_ACTION_METHODS, type RateLimits } from './types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Which limit a call counts against. */
export type LimitBucket = 'messages' | 'memberActions';

interface WindowLimits {
  readonly perChatPerSecond?: number | undefined;
  readonly perChatPerMinute?: number | undefined;
  readonly globalPerSecond?: number | undefined;
}

/**
 * Telegram's flood limits in real (wall-clock) time: sliding windows over successful calls, one set for messages
 * (send*, copy*, forward* and `countMethods`) and one for member actions. Each limit is off unless configured.
 */
export class RateLimiter {
  private readonly messages: SlidingLimits | undefined;
  private readonly memberActions: SlidingLimits | undefined;
  private readonly extra: ReadonlySet<string>;
  private readonly memberMethods: ReadonlySet<string>;

  constructor(limits: RateLimits | undefined, now: () => number = Date.now) {
    // The per-minute message limit is Telegram's per-group one: private chats do not count against it.
    this.messages = limits ? new SlidingLimits(limits, true, now) : undefined;
    this.memberActions = limits?.memberActions
      ? new SlidingLimits(limits.memberActions, false, now)
      : undefined;
    this.extra = new Set((limits?.countMethods ?? []).map((m) => m.toLowerCase()));
    this.memberMethods = new Set(
      (limits?.memberActions?.methods ?? MEMBER_ACTION_METHODS).map((m) => m.toLowerCase()),
    );
  }

  /** The limits a call of `method` counts against (none when limits are off). */
  buckets(method: string): LimitBucket[] {
    const lower = method.toLowerCase();
    const found: LimitBucket[] = [];
    if (this.messages && isMessageMethod(lower, this.extra)) found.push('messages');
    if (this.memberActions && this.memberMethods.has(lower)) found.push('memberActions');
    return found;
  }

  /** Seconds until a call into `chatId` fits every limit of `bucket`; 0 when it fits now. */
  retryAfter(bucket: LimitBucket, chatId: number | undefined, isGroup: boolean): number {
    return this.windows(bucket)?.retryAfter(chatId, isGroup) ?? 0;
  }

  /** Counts a call that went through. */
  record(bucket: LimitBucket, chatId: number | undefined): void {
    this.windows(bucket)?.record(chatId);
  }

  private windows(bucket: LimitBucket): SlidingLimits | undefined {
    return bucket === 'messages' ? this.messages : this.memberActions;
  }
}

// send* (not sendChatAction), copyMessage*, forwardMessage*, and the configured extra methods.
function isMessageMethod(lower: string, extra: ReadonlySet<string>): boolean {
  if (extra.has(lower)) return true;
  if (lower === 'sendchataction') return false;
  return lower.startsWith('send') || lower.startsWith('copymessage') || lower.startsWith('forwardmessage');
}

class SlidingLimits {
  private readonly global: number[] = [];
  private readonly perChat = new Map<number, number[]>();

  constructor(
    private readonly limits: WindowLimits,
    private readonly minuteOnlyInGroups: boolean,
    private readonly now: () => number,
  ) {}

  retryAfter(chatId: number | undefined, isGroup: boolean): number {
    const { limits } = this;
    const now = this.now();
    const chat = chatId === undefined ? [] : (this.perChat.get(chatId) ?? []);
    const minuteApplies = chatId !== undefined && (isGroup || !this.minuteOnlyInGroups);
    const waits = [
      wait(this.global, limits.globalPerSecond, SECOND, now),
      chatId === undefined ? 0 : wait(chat, limits.perChatPerSecond, SECOND, now),
      minuteApplies ? wait(chat, limits.perChatPerMinute, MINUTE, now) : 0,
    ];
    const ms = Math.max(...waits);
    return ms > 0 ? Math.max(1, Math.ceil(ms / SECOND)) : 0;
  }

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
