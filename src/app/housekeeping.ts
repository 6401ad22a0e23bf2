import { createUpdatesRepository } from '../db/repos/updates.js';
import type { Services } from '../runtime/services.js';

/** Telegram redelivers an update for at most a day; a week of update ids is more than enough to drop repeats. */
const KEEP_UPDATE_IDS_MS = 7 * 24 * 3600 * 1000;

export async function pruneProcessedUpdates(services: Services, now: Date): Promise<number> {
  return createUpdatesRepository(services.db).prune(new Date(now.getTime() - KEEP_UPDATE_IDS_MS));
}
