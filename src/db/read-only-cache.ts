import { performance } from 'node:perf_hooks';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { onReadOnlyChanged } from './changes.js';
import type { Database } from './client.js';
import { createReadOnlyRepository, type Silence } from './repos/read-only.js';

/** The channel the database notifies a chat's id on when who may only read there changes (migration 0018). */
export const READ_ONLY_CHANNEL = 'ccm_read_only';

/** How long a chat's list is trusted without any news (a notification lost with its connection). */
export const READ_ONLY_TTL_MS = 5_000;

/** Who may only read in a chat, as the connector asks: the silence, or undefined. */
export interface ReadOnlyCache {
  silenceOf(platform: string, platformChatId: string, platformUserId: string): Promise<Silence | undefined>;
  /** Stops listening for other processes' changes. */
  close(): Promise<void>;
}

interface Entry {
  /** The chat's id in the records (what notifications carry); undefined while the chat is unknown. */
  chatId: number | undefined;
  silenced: Map<string, Silence>;
  loadedAt: number;
}

/**
 * Who may only read, per chat, read from the records once and kept until it changes: one query per chat
 * on a miss. A change this process commits drops the cache before the commit's caller goes on; a change
 * another process commits is notified by the database (a trigger, delivered on commit) and drops that
 * chat; a lost listening connection drops everything; and no list is kept longer than `ttlMs`.
 */
export async function openReadOnlyCache(
  database: Database,
  clock: Clock,
  log: Logger,
  ttlMs = READ_ONLY_TTL_MS,
): Promise<ReadOnlyCache> {
  const repository = createReadOnlyRepository(database.db);
  const entries = new Map<string, Entry>();
  const byChatId = new Map<number, string>();
  const loading = new Map<string, Promise<Entry>>();
  // Bumped by every drop: a load begun before it may have read the old records and is not kept.
  let epoch = 0;

  const dropAll = () => {
    epoch += 1;
    entries.clear();
    byChatId.clear();
    loading.clear();
  };
  const dropChat = (chatId: number) => {
    epoch += 1;
    loading.clear();
    const key = byChatId.get(chatId);
    if (key !== undefined) {
      entries.delete(key);
      byChatId.delete(chatId);
      return;
    }
    // A chat not known when it was read (its list is empty): any of those may be this one.
    for (const [k, entry] of entries) if (entry.chatId === undefined) entries.delete(k);
  };

  const stopLocal = onReadOnlyChanged(database.db, dropAll);
  let listens = 0;
  let unlisten: (() => Promise<void>) | undefined;
  try {
    unlisten = await database.listen(
      READ_ONLY_CHANNEL,
      (payload) => {
        const chatId = Number(payload);
        if (Number.isInteger(chatId)) dropChat(chatId);
        else dropAll();
      },
      () => {
        listens += 1;
        // Listening again after a lost connection: what was notified meanwhile is unknown.
        if (listens > 1) {
          dropAll();
          log.warn('listening for read-only changes again; the cache was dropped');
        }
      },
    );
  } catch (error) {
    // Without notifications other processes' changes reach this one by the TTL only.
    log.error(
      { err: error },
      'cannot listen for read-only changes; other replicas’ changes arrive by the TTL only',
    );
  }

  const load = (platform: string, platformChatId: string, key: string): Promise<Entry> => {
    const pending = loading.get(key);
    if (pending) return pending;
    const started = epoch;
    const promise = repository
      .silencedIn(platform, platformChatId, clock.now())
      .then(({ chatId, silenced }) => {
        const entry = { chatId, silenced, loadedAt: performance.now() };
        if (epoch === started) {
          entries.set(key, entry);
          if (chatId !== undefined) byChatId.set(chatId, key);
        }
        return entry;
      });
    loading.set(key, promise);
    const forget = () => {
      if (loading.get(key) === promise) loading.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  };

  return {
    async silenceOf(platform, platformChatId, platformUserId) {
      const key = `${platform}\u0000${platformChatId}`;
      let entry = entries.get(key);
      if (entry && performance.now() - entry.loadedAt > ttlMs) {
        entries.delete(key);
        if (entry.chatId !== undefined) byChatId.delete(entry.chatId);
        entry = undefined;
      }
      entry ??= await load(platform, platformChatId, key);
      const silence = entry.silenced.get(platformUserId);
      // A block ends by its term even before the lift is recorded (as the query itself says).
      if (silence?.until && silence.until.getTime() <= clock.now().getTime()) return undefined;
      return silence;
    },
    async close() {
      stopLocal();
      dropAll();
      await unlisten?.().catch(() => {});
    },
  };
}
