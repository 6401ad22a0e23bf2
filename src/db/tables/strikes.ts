import { index, integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { blocks } from './blocks.js';
import { chats } from './chats.js';
import { ts } from './columns.js';

/** A strike a moderator issued, citing a rule (regulation 4.13.7: no strike without a rule). */
export const strikes = pgTable(
  'strikes',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    moderatorAccountId: integer('moderator_account_id').references(() => accounts.id),
    moderatorName: text('moderator_name').notNull(),
    ruleNumber: integer('rule_number').notNull(),
    ruleText: text('rule_text').notNull(),
    rulesVersion: integer('rules_version').notNull(),
    reason: text('reason'),
    /** The offending message: Telegram lets us delete it later, so an excerpt is kept as evidence. */
    messageId: text('message_id'),
    messageExcerpt: text('message_excerpt'),
    createdAt: ts('created_at').notNull(),
    revokedAt: ts('revoked_at'),
    revokedByAccountId: integer('revoked_by_account_id').references(() => accounts.id),
    /** The block this strike led to; it stops counting when that block has ended. */
    blockId: integer('block_id').references(() => blocks.id),
  },
  (t) => [index('strikes_member_idx').on(t.chatId, t.accountId, t.createdAt)],
);
