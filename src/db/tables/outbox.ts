import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { chats } from './chats.js';
import { ts } from './columns.js';

export type OutboxStatus = 'pending' | 'done' | 'failed' | 'cancelled';

/**
 * Durable outbox of platform actions. Actions of one `lane` (a chat) run in order; a claim is a lease
 * (`claimed_until`), so work of a crashed process becomes claimable again.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    lane: text('lane').notNull(),
    chatId: integer('chat_id').references(() => chats.id, { onDelete: 'set null' }),
    action: jsonb('action').notNull(),
    /** What to record when the action succeeds or finally fails (a named handler and its arguments). */
    onDone: jsonb('on_done'),
    onFailed: jsonb('on_failed'),
    /** pending, done, failed or cancelled */
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    claimedUntil: ts('claimed_until'),
    claimToken: text('claim_token'),
    lastError: text('last_error'),
    result: jsonb('result'),
    createdAt: ts('created_at').notNull(),
    completedAt: ts('completed_at'),
  },
  (t) => [
    index('outbox_pending_idx').on(t.nextAttemptAt, t.id).where(sql`status = 'pending'`),
    index('outbox_lane_pending_idx').on(t.lane, t.id).where(sql`status = 'pending'`),
  ],
);
