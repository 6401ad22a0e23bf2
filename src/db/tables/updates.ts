import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

/** Updates that changed state, so a redelivered one is dropped. */
export const processedUpdates = pgTable(
  'processed_updates',
  {
    platform: text('platform').notNull(),
    updateKey: text('update_key').notNull(),
    processedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.updateKey] }),
    index('processed_updates_at_idx').on(t.processedAt),
  ],
);
