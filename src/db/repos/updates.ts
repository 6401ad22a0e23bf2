import { lt } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { processedUpdates } from '../schema.js';

/** Ids of updates that changed state, so a redelivered update is dropped. */
export function createUpdatesRepository(ex: Executor) {
  return {
    /** Records the update; false when it was recorded before (a redelivery). */
    async firstDelivery(platform: string, updateKey: string, at: Date): Promise<boolean> {
      const fresh = await ex
        .insert(processedUpdates)
        .values({ platform, updateKey, processedAt: at })
        .onConflictDoNothing()
        .returning({ key: processedUpdates.updateKey });
      return fresh.length > 0;
    },

    /** Forgets ids recorded before `cutoff`; returns how many. */
    async prune(cutoff: Date): Promise<number> {
      const removed = await ex
        .delete(processedUpdates)
        .where(lt(processedUpdates.processedAt, cutoff))
        .returning({ key: processedUpdates.updateKey });
      return removed.length;
    },
  };
}
