import { getHeapStatistics } from 'node:v8';

/**
 * How many entries each in-process cache may hold, from the heap this process may use. The caches keep
 * ordinary messages off the database; past their size the least recently seen are read again, which
 * costs a query, while a cache sized past the heap costs the process (the Docker image runs with a
 * 128 MB old space: a region's 300,000 members at full size ran it out of memory).
 *
 * Bytes per entry were measured in a heap snapshot after 10,000 chats and 200,000 members
 * (`npm run bench -- --only=memory`): an account about 190, a present member about 100, a chat's record
 * about 700, a chat's flagging state (its heat window and members' recent messages) about 6,000.
 */
export interface CacheSizes {
  accounts: number;
  presentMembers: number;
  chats: number;
  chatStates: number;
}

/** At most this much (the sizes that serve a region of 12,000 chats and 300,000 members), at least the floor. */
const CEILING: CacheSizes = { accounts: 300_000, presentMembers: 400_000, chats: 20_000, chatStates: 20_000 };
const FLOOR: CacheSizes = { accounts: 5_000, presentMembers: 5_000, chats: 500, chatStates: 200 };

/** Each cache's share of the heap limit and its measured bytes per entry: 38% of the heap in all. */
const SHARE: Record<keyof CacheSizes, { share: number; bytes: number }> = {
  accounts: { share: 0.15, bytes: 190 },
  presentMembers: { share: 0.08, bytes: 100 },
  chats: { share: 0.05, bytes: 700 },
  chatStates: { share: 0.1, bytes: 6_000 },
};

export function cacheSizes(heapLimitBytes: number = getHeapStatistics().heap_size_limit): CacheSizes {
  const size = (name: keyof CacheSizes): number => {
    const { share, bytes } = SHARE[name];
    const fits = Math.floor((heapLimitBytes * share) / bytes);
    return Math.max(FLOOR[name], Math.min(CEILING[name], fits));
  };
  return {
    accounts: size('accounts'),
    presentMembers: size('presentMembers'),
    chats: size('chats'),
    chatStates: size('chatStates'),
  };
}
