import { UPDATE_TYPES, type UpdateType } from './types.js';
import type { UpdatePayload, UpdateSink } from './world.js';

/** An update as it goes on the wire. */
export type WireUpdate = { readonly update_id: number } & UpdatePayload;

/** A queued update with its delivery bookkeeping. */
export interface QueuedUpdate {
  readonly update: WireUpdate;
  readonly type: UpdateType;
  /** Updates with the same key go to a webhook one at a time, in order (telegram-bot-api's per-chat queues). */
  readonly key: string;
}

/** Why a waiting long poll ended. */
export type WakeReason = 'update' | 'timeout' | 'aborted' | 'conflict' | 'webhook' | 'closed';

/** Telegram's default `allowed_updates`: everything except chat_member and the reaction updates. */
export const DEFAULT_ALLOWED_UPDATES: ReadonlySet<UpdateType> = new Set(
  UPDATE_TYPES.filter(
    (t) => t !== 'chat_member' && t !== 'message_reaction' && t !== 'message_reaction_count',
  ),
);

interface Poll {
  wake(reason: WakeReason): void;
}

/**
 * The bot's pending updates (telegram-bot-api's TQueue): numbered, filtered by `allowed_updates` when they are
 * created, kept until confirmed by a getUpdates offset or delivered to the webhook, and a single long-poll slot.
 */
export class UpdateQueue implements UpdateSink {
  private queue: QueuedUpdate[] = [];
  private nextId = 1;
  private allowed: ReadonlySet<UpdateType>;
  private poll: Poll | undefined;
  private closed = false;
  private readonly listeners = new Set<() => void>();

  constructor(initialAllowed?: readonly UpdateType[]) {
    this.allowed =
      initialAllowed && initialAllowed.length > 0 ? new Set(initialAllowed) : DEFAULT_ALLOWED_UPDATES;
  }

  private duplicates: { rate: number; random: () => number } | undefined;
  /** How many updates were created, and how many of them were queued twice. */
  created = 0;
  duplicated = 0;

  /**
   * Delivers a share of updates twice with the same update_id, as Telegram may after a timeout on its side
   * (the bot must apply each once). Null stops it.
   */
  duplicate(options: { rate: number; random: () => number } | null): void {
    this.duplicates = options ?? undefined;
  }

  /** Queues an update unless its type is not allowed now (Telegram drops those at creation). */
  push(payload: UpdatePayload, key: string): void {
    const type = updateType(payload);
    if (!this.allowed.has(type)) return;
    const queued = { update: { update_id: this.nextId++, ...payload }, type, key };
    this.queue.push(queued);
    this.created += 1;
    if (this.duplicates && this.duplicates.random() < this.duplicates.rate) {
      this.queue.push(queued);
      this.duplicated += 1;
    }
    this.poll?.wake('update');
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after every queued update (the webhook dispatcher). */
  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies an `allowed_updates` parameter like telegram-bot-api: absent or unparsable keeps the previous setting;
   * a list with no known type (including `[]`) restores the default; names are case-insensitive.
   */
  setAllowed(value: unknown): void {
    let list = value;
    if (typeof list === 'string') {
      try {
        list = JSON.parse(list) as unknown;
      } catch {
        return;
      }
    }
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) return;
    const names = new Set(list.map((item) => String(item).toLowerCase()));
    const chosen = UPDATE_TYPES.filter((t) => names.has(t));
    this.allowed = chosen.length > 0 ? new Set(chosen) : DEFAULT_ALLOWED_UPDATES;
  }

  /** The current setting, or undefined when it is Telegram's default. */
  allowedUpdates(): UpdateType[] | undefined {
    return this.allowed === DEFAULT_ALLOWED_UPDATES
      ? undefined
      : UPDATE_TYPES.filter((t) => this.allowed.has(t));
  }

  /**
   * getUpdates' `offset`: a positive offset forgets every update before it; a negative one keeps only the last
   * `-offset` updates; 0 confirms nothing.
   */
  confirm(offset: number): void {
    if (offset > 0) this.queue = this.queue.filter((q) => q.update.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
  }

  /** The first `limit` pending updates, without confirming them. */
  peek(limit: number): WireUpdate[] {
    return this.queue.slice(0, limit).map((q) => q.update);
  }

  /** Pending updates in order, with their keys. */
  pending(): readonly QueuedUpdate[] {
    return this.queue;
  }

  /** Forgets one update (delivered to the webhook). */
  remove(updateId: number): void {
    this.queue = this.queue.filter((q) => q.update.update_id !== updateId);
  }

  has(updateId: number): boolean {
    return this.queue.some((q) => q.update.update_id === updateId);
  }

  /** Drops every pending update (`drop_pending_updates`). */
  clear(): void {
    this.queue = [];
  }

  /**
   * Parks a long poll until an update arrives, `timeoutMs` passes, the client goes away, or another getUpdates /
   * setWebhook takes the slot (the previous poll then ends with `conflict` / `webhook`).
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<WakeReason> {
    this.poll?.wake('conflict');
    if (this.closed) return Promise.resolve('closed');
    if (signal.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      let done = false;
      const poll: Poll = {
        wake: (reason) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          if (this.poll === poll) this.poll = undefined;
          resolve(reason);
        },
      };
      const onAbort = (): void => poll.wake('aborted');
      const timer = setTimeout(() => poll.wake('timeout'), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.poll = poll;
    });
  }

  /** Ends a waiting long poll (`webhook` when a webhook is set). */
  interrupt(reason: WakeReason): void {
    this.poll?.wake(reason);
  }

  /** Ends the waiting long poll; later polls answer at once until {@link UpdateQueue.open} (server stop). */
  close(): void {
    this.closed = true;
    this.poll?.wake('closed');
  }

  /** Accepts long polls again (server start). */
  open(): void {
    this.closed = false;
  }
}

function updateType(payload: UpdatePayload): UpdateType {
  if ('message' in payload) return 'message';
  if ('callback_query' in payload) return 'callback_query';
  if ('my_chat_member' in payload) return 'my_chat_member';
  if ('chat_member' in payload) return 'chat_member';
  return 'chat_join_request';
}
