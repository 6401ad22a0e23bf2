import { prunePacingSlots } from '../db/repos/pacing.js';
import { createUpdatesRepository } from '../db/repos/updates.js';
import type { Services } from '../runtime/services.js';

/** Telegram redelivers an update for at most a day; a week of update ids is more than enough to drop repeats. */
const KEEP_UPDATE_IDS_MS = 7 * 24 * 3600 * 1000;

/** Forgets old update ids, and the pacing windows' slots of chats that got no message since. */
export async function pruneProcessedUpdates(services: Services, now: Date): Promise<number> {
  const updates = await createUpdatesRepository(services.db).prune(
    new Date(now.getTime() - KEEP_UPDATE_IDS_MS),
  );
  return updates + (await prunePacingSlots(services.db));
}
