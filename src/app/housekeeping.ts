import { lt } from 'drizzle-orm';
import { processedUpdates } from '../db/schema.js';
import type { Core } from '../runtime/services.js';

/** Telegram redelivers an update for at most a day; a week of update ids is more than enough to drop repeats. */
const KEEP_UPDATE_IDS_MS = 7 * 24 * 3600 * 1000;

export async function pruneProcessedUpdates(core: Core, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - KEEP_UPDATE_IDS_MS);
  const removed = await core.db
    .delete(processedUpdates)
    .where(lt(processedUpdates.processedAt, cutoff))
    .returning({ key: processedUpdates.updateKey });
  return removed.length;
}
