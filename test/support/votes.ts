import { desc, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { votes } from '../../src/db/schema.js';
import { type AdjustableClock, MINUTE } from '../../src/lib/clock.js';

/**
 * Moves the clock a minute past the close of the latest open vote. Votes never close at night
 * (4.13.6), so a vote opened in the evening closes the next morning: tests wait for its actual close.
 */
export async function passVoteClose(database: Database, clock: AdjustableClock): Promise<void> {
  const [vote] = await database.db
    .select({ closesAt: votes.closesAt })
    .from(votes)
    .where(eq(votes.status, 'open'))
    .orderBy(desc(votes.closesAt))
    .limit(1);
  if (!vote) throw new Error('no open vote to wait for');
  clock.advanceTo(new Date(vote.closesAt.getTime() + MINUTE));
}
