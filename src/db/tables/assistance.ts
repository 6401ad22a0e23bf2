import { index, integer, jsonb, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { chats } from './chats.js';
import { ts } from './columns.js';

/** open, then struck (a strike was recorded), deleted, dismissed («Не нарушение») or expired (48 h). */
export type SuggestionStatus = 'open' | 'struck' | 'deleted' | 'dismissed' | 'expired';

/**
 * A flagged message suggested to the chat's moderators (4.13.2): never a sanction by itself. The excerpt
 * is kept only while the suggestion is open; a job erases it after 48 hours.
 */
export const flagSuggestions = pgTable(
  'flag_suggestions',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    messageId: text('message_id').notNull(),
    /** What the moderators read; null once the suggestion is closed or 48 hours old. */
    excerpt: text('excerpt'),
    signal: text('signal').notNull(),
    pattern: text('pattern').notNull(),
    ruleNumber: integer('rule_number'),
    status: text('status').$type<SuggestionStatus>().notNull().default('open'),
    createdAt: ts('created_at').notNull(),
    closedAt: ts('closed_at'),
    closedByAccountId: integer('closed_by_account_id').references(() => accounts.id),
  },
  (t) => [
    index('flag_suggestions_open_idx').on(t.status, t.createdAt),
    uniqueIndex('flag_suggestions_message_uq').on(t.chatId, t.messageId, t.signal),
  ],
);

/**
 * What a moderator said is not a violation in a chat: a pattern is never flagged there again; for
 * shouting or flooding, one member is not flagged for it until `until`.
 */
export const flagDismissals = pgTable(
  'flag_dismissals',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    pattern: text('pattern').notNull(),
    accountId: integer('account_id').references(() => accounts.id),
    until: ts('until'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('flag_dismissals_chat_idx').on(t.chatId)],
);

/**
 * Per-chat state of the moderator's helpers that must survive a restart: when the rules were last
 * recalled for a heated chat, and quiet hours in progress (the permissions saved at their start, to be
 * put back at `quietReopenAt`).
 */
export const chatAssistance = pgTable('chat_assistance', {
  chatId: integer('chat_id')
    .primaryKey()
    .references(() => chats.id, { onDelete: 'cascade' }),
  lastReminderAt: ts('last_reminder_at'),
  /** Set while the chat is closed for quiet hours (Telegram): the permissions it had before. */
  quietSavedPermissions: jsonb('quiet_saved_permissions').$type<Record<string, boolean>>(),
  quietClosedAt: ts('quiet_closed_at'),
  quietReopenAt: ts('quiet_reopen_at'),
  /** Where a chat cannot be closed: the night (its start) whose private reminders were sent, per author. */
  quietRemindedNight: text('quiet_reminded_night'),
  quietReminded: jsonb('quiet_reminded').$type<string[]>(),
});
