import type { UpdateCounters } from './stats.js';
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
  /**
   * Set on a held-back copy released into the queue: it ignores getUpdates offsets until a getUpdates answer
   * carried it (`carriedUpTo` = the highest update_id of that answer) and a later offset confirmed that answer.
   */
  readonly redelivery?: { carriedUpTo: number | undefined };
}

/** How duplicated updates are made; see `DuplicateOptions` for the public face. */
export interface DuplicateMode {
  readonly rate: number;
  readonly random: () => number;
  readonly hold?: { readonly afterUpdates?: number; readonly afterMs?: number };
}

interface HeldCopy {
  readonly entry: QueuedUpdate;
  /** Released once this many updates were created in all (a count {@link FakeBotApi.resetStats} leaves alone). */
  readonly releaseAtCreated: number | undefined;
  timer: NodeJS.Timeout | undefined;
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
 * Duplicated updates go right behind the original or are held back and released later (by count, time, or on
 * request).
 */
export class UpdateQueue implements UpdateSink {
  private queue: QueuedUpdate[] = [];
  private held: HeldCopy[] = [];
  private nextId = 1;
  private allowed: ReadonlySet<UpdateType>;
  private poll: Poll | undefined;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private duplicates: DuplicateMode | undefined;
  private createdTotal = 0;

  constructor(
    private readonly counters: UpdateCounters,
    initialAllowed?: readonly UpdateType[],
  ) {
    this.allowed =
      initialAllowed && initialAllowed.length > 0 ? new Set(initialAllowed) : DEFAULT_ALLOWED_UPDATES;
  }

  /**
   * Delivers a share of updates twice with the same update_id, as Telegram may after a timeout on its side
   * (the bot must apply each once): right behind the original, or held back (`hold`). Null stops it; copies
   * already held stay held.
   */
  duplicate(mode: DuplicateMode | null): void {
    this.duplicates = mode ?? undefined;
  }

  /** Queues an update unless its type is not allowed now (Telegram drops those at creation). */
  push(payload: UpdatePayload, key: string): void {
    const type = updateType(payload);
    if (!this.allowed.has(type)) return;
    const queued: QueuedUpdate = { update: { update_id: this.nextId++, ...payload }, type, key };
    this.queue.push(queued);
    this.counters.created += 1;
    this.createdTotal += 1;
    const mode = this.duplicates;
    if (mode && mode.random() < mode.rate) {
      this.counters.duplicated += 1;
      // A copy of its own, so that delivering one (webhook) does not also take away the other.
      const copy: QueuedUpdate = { ...queued };
      if (mode.hold) this.holdBack(copy, mode.hold);
      else this.queue.push(copy);
    }
    for (const copy of this.held.filter((h) => (h.releaseAtCreated ?? Infinity) <= this.createdTotal)) {
      this.release(copy);
    }
    this.notify();
  }

  /** Copies held back now, in order. */
  heldBack(): readonly QueuedUpdate[] {
    return this.held.map((h) => h.entry);
  }

  /** Releases every held copy into the queue now; returns how many. */
  releaseHeld(): number {
    const all = [...this.held];
    for (const copy of all) this.release(copy);
    if (all.length > 0) this.notify();
    return all.length;
  }

  private holdBack(entry: QueuedUpdate, hold: NonNullable<DuplicateMode['hold']>): void {
    const copy: HeldCopy = {
      entry,
      releaseAtCreated: hold.afterUpdates === undefined ? undefined : this.createdTotal + hold.afterUpdates,
      timer: undefined,
    };
    if (hold.afterMs !== undefined) {
      copy.timer = setTimeout(() => {
        if (!this.held.includes(copy)) return;
        this.release(copy);
        this.notify();
      }, hold.afterMs);
      copy.timer.unref();
    }
    this.held.push(copy);
  }

  // Into the queue in update_id order, so a getUpdates answer stays sorted and its last id is its highest.
  private release(copy: HeldCopy): void {
    this.held = this.held.filter((h) => h !== copy);
    if (copy.timer) clearTimeout(copy.timer);
    const entry: QueuedUpdate = { ...copy.entry, redelivery: { carriedUpTo: undefined } };
    const id = entry.update.update_id;
    const at = this.queue.findIndex((q) => q.update.update_id > id);
    if (at === -1) this.queue.push(entry);
    else this.queue.splice(at, 0, entry);
    this.counters.redelivered += 1;
  }

  private notify(): void {
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
    if (offset > 0) {
      this.queue = this.queue.filter((q) => {
        if (!q.redelivery) return q.update.update_id >= offset;
        const carried = q.redelivery.carriedUpTo;
        return carried === undefined || offset <= carried;
      });
    } else if (offset < 0) this.queue = this.queue.slice(offset);
  }

  /**
   * The first `limit` pending updates as a getUpdates answer, without confirming them; redelivered copies note
   * that they went out.
   */
  handOut(limit: number): WireUpdate[] {
    const batch = this.queue.slice(0, limit);
    const highest = Math.max(...batch.map((q) => q.update.update_id));
    for (const q of batch) if (q.redelivery) q.redelivery.carriedUpTo = highest;
    return batch.map((q) => q.update);
  }

  /** Pending updates in order, with their keys. */
  pending(): readonly QueuedUpdate[] {
    return this.queue;
  }

  /** Forgets one queued entry (delivered to the webhook); a duplicate of it stays. */
  remove(entry: QueuedUpdate): void {
    this.queue = this.queue.filter((q) => q !== entry);
  }

  has(entry: QueuedUpdate): boolean {
    return this.queue.includes(entry);
  }

  /** Drops every pending update and held copy (`drop_pending_updates`). */
  clear(): void {
    this.queue = [];
    for (const copy of this.held) if (copy.timer) clearTimeout(copy.timer);
    this.held = [];
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
