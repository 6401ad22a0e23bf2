import { LRUCache } from 'lru-cache';
import { DEFAULT_PERSONAL_DATA, type Language, type PersonalDataConfig } from '../config.js';
import type { Db } from '../db/client.js';
import type { ChatRecord } from '../db/repos/chats.js';
import type { Texts } from '../i18n/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { ChatDirectory, Messenger, Platform, PlatformProfile } from '../messenger/port.js';
import { transact, type Work } from '../outbox/work.js';
import { type CacheSizes, cacheSizes } from './cache-sizes.js';
import { createMetrics, type Metrics } from './metrics.js';
import { RefusalThrottle } from './refusals.js';

export type { Work } from '../outbox/work.js';

export interface ServicesDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  texts: Texts;
  timeZone: string;
  defaultLanguage: Language;
  messengers: ReadonlyMap<Platform, Messenger>;
  /** Told when a transaction has enqueued actions, so they go out now rather than at the next poll. */
  wakeOutbox: () => void;
  /** Retention defaults and the hash key (152-ФЗ); the defaults when left out. */
  personalData?: PersonalDataConfig;
  /** Where the web dashboard is reached from outside (`PUBLIC_URL`, else the bot's own port); none before it listens. */
  publicUrl?: () => string | undefined;
  /** How many entries the in-process caches hold; sized to the heap when left out. */
  cacheSizes?: CacheSizes;
}

/** A chat's moderator rule as cached; the feature that computes it owns its shape. */
export interface ModeratorRuleCache {
  staffOnly: boolean;
  staff: ReadonlySet<string>;
  departed: ReadonlySet<string>;
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
 * The service container every use case gets: its dependencies (database, clock, log, texts, the
 * platforms' capabilities), the metrics, and the in-process caches that keep ordinary messages off the
 * database. Caches only ever hold what the database says; they are filled after commits.
 */
export class Services {
  // Sized to the heap (runtime/cache-sizes.ts): a region's 12,000 chats and 300,000 members when the heap
  // allows; past that the least recently seen are read from the database again.
  readonly cacheSizes: CacheSizes;
  readonly chats: LRUCache<string, ChatRecord>;
  /** `platform:userId` → account id and profile fingerprint. */
  readonly accounts: LRUCache<string, { id: number; fingerprint: number }>;
  /** Members known to be present, by {@link memberKey}. */
  readonly presentMembers: LRUCache<number, true>;
  readonly admins = new LRUCache<number, CachedAdmins>({ max: 20_000 });
  readonly metrics: Metrics = createMetrics();
  readonly refusals = new RefusalThrottle();
  /** Which administrators of a chat moderate (features/membership/staff.ts), for half a minute. */
  readonly moderatorRules = new LRUCache<number, ModeratorRuleCache>({ max: 20_000, ttl: 30_000 });
  /**
   * Each chat's current rules by chat id, with their version. Used only when the chat's record was read
   * with its rules' version in the same transaction (a new version, from any replica, misses the cache).
   */
  readonly rulesByChat = new LRUCache<number, { version: number; text: string | null }>({ max: 20_000 });

  constructor(readonly deps: ServicesDeps) {
    const sizes = deps.cacheSizes ?? cacheSizes();
    this.cacheSizes = sizes;
    this.chats = new LRUCache({ max: sizes.chats, ttl: CHAT_CACHE_TTL_MS });
    this.accounts = new LRUCache({ max: sizes.accounts });
    this.presentMembers = new LRUCache({ max: sizes.presentMembers });
  }

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
  get personalData(): PersonalDataConfig {
    return this.deps.personalData ?? DEFAULT_PERSONAL_DATA;
  }

  private messenger(platform: Platform): Messenger {
    const messenger = this.deps.messengers.get(platform);
    if (!messenger) throw new Error(`no connector for ${platform}`);
    return messenger;
  }

  /** Who the bot is on a platform and what that platform can do. */
  platform(platform: Platform): PlatformProfile {
    return this.messenger(platform);
  }

  /** Reads a chat's administrators from the platform. */
  directory(platform: Platform): ChatDirectory {
    return this.messenger(platform);
  }

  /** Runs `fn` in one transaction; actions it enqueues go out only if it commits. */
  transact<T>(fn: (work: Work) => Promise<T>): Promise<T> {
    return transact(this.db, this.clock, fn, this.deps.wakeOutbox);
  }

  cachedChat(platform: Platform, platformChatId: string): ChatRecord | undefined {
    return this.chats.get(`${platform}:${platformChatId}`);
  }

  rememberChat(chat: ChatRecord): void {
    this.chats.set(`${chat.platform}:${chat.platformChatId}`, chat);
  }

  forgetChat(platform: Platform, platformChatId: string): void {
    this.chats.delete(`${platform}:${platformChatId}`);
  }

  cachedAdmins(chatId: number): CachedAdmins | undefined {
    return this.admins.get(chatId);
  }

  rememberAdmins(chatId: number, userIds: Iterable<string>, loadedAt = Date.now()): void {
    this.admins.set(chatId, { userIds: new Set(userIds), loadedAt });
  }
}
