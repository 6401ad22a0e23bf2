import { sql } from 'drizzle-orm';
import { index, integer, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { chats } from './chats.js';
import { ts } from './columns.js';
import { schools } from './schools.js';

/** pending until the school answers; confirmed (the chat is the school's), rejected, or withdrawn (the chat asked another school). */
export type AttachmentStatus = 'pending' | 'confirmed' | 'rejected' | 'withdrawn';

/**
 * A chat's request to belong to a school (`/settings school <code>`). A code is only a way to ask: the
 * chat becomes the school's when the school confirms, so someone who learns the code cannot take the
 * school's invitations and roster into a chat of their own.
 */
export const schoolAttachments = pgTable(
  'school_attachments',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    requestedByAccountId: integer('requested_by_account_id').references(() => accounts.id),
    status: text('status').$type<AttachmentStatus>().notNull(),
    requestedAt: ts('requested_at').notNull(),
    decidedAt: ts('decided_at'),
  },
  (t) => [
    uniqueIndex('school_attachments_pending_uq').on(t.chatId).where(sql`status = 'pending'`),
    index('school_attachments_school_idx').on(t.schoolId, t.status),
  ],
);
