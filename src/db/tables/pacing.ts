import { boolean, index, pgTable, text } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';

/**
 * Messages sent lately, by pacing key (a bot's, a chat's): the sliding windows of Telegram's limits,
 * shared by every replica. A row lives no longer than its window (about a minute).
 */
export const pacingSlots = pgTable(
  'pacing_slots',
  {
    key: text('key').notNull(),
    at: ts('at').notNull(),
    /**
     * Taken and not yet answered: the platform counts the call when it arrives, which on a busy machine
     * may be long after the slot was taken, so until its answer the slot counts as happening now.
     */
    open: boolean('open').notNull().default(false),
  },
  (t) => [index('pacing_slots_key_at_idx').on(t.key, t.at)],
);
