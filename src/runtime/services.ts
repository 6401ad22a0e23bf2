import type { Language } from '../config.js';
import { type Db, inTransaction, type Tx } from '../db/client.js';
import type { ChatRecord } from '../db/repos/chats.js';
import type { Texts } from '../i18n/index.js';
import { BoundedMap } from '../lib/bounded-map.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import type { Messenger, Platform } from '../messenger/port.js';
import type { Action } from '../outbox/actions.js';
import { type EnqueueOptions, enqueue } from '../outbox/outbox.js';

export interface CoreDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  texts: Texts;
  timeZone: string;
  defaultLanguage: Language;
  messengers: ReadonlyMap<Platform, Messenger>;
  /** Told when a transaction has enqueued actions, so they go out now rather than at the next poll. */
  wakeOutbox: () => void;
  defaultSchoolId: number;
}

/** What one transaction of a use case can do: query, enqueue actions, and schedule after-commit work. */
export interface Work {
  tx: Tx;
  now: Date;
  enqueue(action: Action, options?: EnqueueOptions): Promise<number>;
  /** Runs after the transaction commits (cache updates); never if it rolls back. */
  afterCommit(fn: () => void): void;
}

interface CachedChat {
  chat: ChatRecord;
  loadedAt: number;
}

interface CachedAdmins {
  userIds: Set<string>;
  loadedAt: number;
}

/** A chat member as one number (a number key takes a third of the memory of a `chat:account` string). */
export function memberKey(chatId: number, accountId: number): number {
  return chatId * 2 ** 32 + accountId;
}

/** How long another replica's change to a chat may go unseen here. */
export const CHAT_CACHE_TTL_MS = 30_000;

/**
 * The core's shared state: dependencies plus the in-process caches that keep ordinary messages off the
 * database. Caches only ever hold what the database says; they are filled after commits.
 */
export class Core {
  // Sized for a region (12,000 chats, 300,000 members) in about 100 MB; past that the least recently
  // seen are read from the database again.
  readonly chats = new BoundedMap<string, CachedChat>(20_000);
  /** `platform:userId` → account id and profile fingerprint. */
  readonly accounts = new BoundedMap<string, { id: number; fingerprint: number }>(300_000);
  /** Members known to be present, by {@link memberKey}. */
  readonly presentMembers = new BoundedMap<number, true>(400_000);
  readonly admins = new BoundedMap<number, CachedAdmins>(20_000);
  readonly metrics = new Metrics();

  constructor(readonly deps: CoreDeps) {}

  get db(): Db {
    return this.deps.db;
  }
  get clock(): Clock {
    return this.deps.clock;
  }
  get log(): Logger {
    return this.deps.log;
  }
  get texts(): Texts {
    return this.deps.texts;
  }

  messenger(platform: Platform): Messenger {
    const messenger = this.deps.messengers.get(platform);
    if (!messenger) throw new Error(`no connector for ${platform}`);
    return messenger;
  }

  /** Runs `fn` in one transaction; actions it enqueues go out only if it commits. */
  async transact<T>(fn: (work: Work) => Promise<T>): Promise<T> {
    let after: Array<() => void> = [];
    let enqueued = false;
    const now = this.clock.now();
    // A transaction PostgreSQL picks as a deadlock victim is run again from the start.
    const result = await inTransaction(this.db, async (tx) => {
      after = [];
      enqueued = false;
      return fn({
        tx,
        now,
        enqueue: (action, options) => {
          enqueued = true;
          return enqueue(tx, this.clock, action, options);
        },
        afterCommit: (f) => after.push(f),
      });
    });
    for (const f of after) f();
    if (enqueued) this.deps.wakeOutbox();
    return result;
  }

  cachedChat(platform: Platform, chatId: string): ChatRecord | undefined {
    const cached = this.chats.get(`${platform}:${chatId}`);
    if (!cached || Date.now() - cached.loadedAt > CHAT_CACHE_TTL_MS) return undefined;
    return cached.chat;
  }

  rememberChat(chat: ChatRecord): void {
    this.chats.set(`${chat.platform}:${chat.platformChatId}`, { chat, loadedAt: Date.now() });
  }

  forgetChat(platform: Platform, chatId: string): void {
    this.chats.delete(`${platform}:${chatId}`);
  }

  cachedAdmins(chatId: number): CachedAdmins | undefined {
    return this.admins.get(chatId);
  }

  rememberAdmins(chatId: number, userIds: Iterable<string>, loadedAt = Date.now()): void {
    this.admins.set(chatId, { userIds: new Set(userIds), loadedAt });
  }
}
