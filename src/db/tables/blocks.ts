import { sql } from 'drizzle-orm';
import { index, integer, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { BlockMode, BlockStatus, LiftReason } from '../../moderation/strikes.js';
import { accounts } from './accounts.js';
import { chats } from './chats.js';
import { ts } from './columns.js';

/** A block (regulation 4.13.5): read-only (`mute`) or removed (`ban`) until `ends_at`, at most a month. */
export const blocks = pgTable(
  'blocks',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    mode: text('mode').$type<BlockMode>().notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    /**
     * active (decided; applied on the platform once `applied_at` is set), lifting (the lift is being
     * performed), lifted, or failed (the platform refused to apply it; nobody is blocked).
     */
    status: text('status').$type<BlockStatus>().notNull(),
    appliedAt: ts('applied_at'),
    /** term, vote or correction */
    liftReason: text('lift_reason').$type<LiftReason>(),
    liftedAt: ts('lifted_at'),
    liftFailures: integer('lift_failures').notNull().default(0),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    // The scheduled lift looks only at running blocks, by when they end.
    index('blocks_due_idx').on(t.endsAt).where(sql`status = 'active'`),
    // At most one running block per member and chat.
    uniqueIndex('blocks_live_uq').on(t.chatId, t.accountId).where(sql`status in ('active', 'lifting')`),
  ],
);
