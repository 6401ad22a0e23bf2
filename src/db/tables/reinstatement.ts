import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Choice, VoteOutcome } from '../../moderation/reinstatement.js';
import { accounts } from './accounts.js';
import { blocks } from './blocks.js';
import { chats } from './chats.js';
import { ts } from './columns.js';

/** A blocked member's apology to the chat (regulation 4.13.6), made privately or recorded by a moderator. */
export const apologies = pgTable(
  'apologies',
  {
    id: serial('id').primaryKey(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** Null while the member, blocked in several chats, has not yet said which one it is for. */
    blockId: integer('block_id').references(() => blocks.id),
    text: text('text').notNull(),
    /** member or moderator */
    recordedBy: text('recorded_by').$type<'member' | 'moderator'>().notNull(),
    recordedByAccountId: integer('recorded_by_account_id').references(() => accounts.id),
    /** The chat message telling members about the apology; replying /unblock to it opens the vote. */
    announcementMessageId: text('announcement_message_id'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('apologies_block_idx').on(t.blockId)],
);

/** An objection vote on early reinstatement. One open vote per block. */
export const votes = pgTable(
  'votes',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    blockId: integer('block_id')
      .notNull()
      .references(() => blocks.id),
    apologyId: integer('apology_id')
      .notNull()
      .references(() => apologies.id),
    openedByAccountId: integer('opened_by_account_id').references(() => accounts.id),
    openedAt: ts('opened_at').notNull(),
    closesAt: ts('closes_at').notNull(),
    /** open or closed */
    status: text('status').$type<'open' | 'closed'>().notNull(),
    /** unblocked, kept or moot */
    outcome: text('outcome').$type<VoteOutcome>(),
    objections: integer('objections').notNull().default(0),
    noObjections: integer('no_objections').notNull().default(0),
    messageId: text('message_id'),
    /** Votes changed since the message was last edited; edits are spaced out (Telegram's limits). */
    renderNeeded: boolean('render_needed').notNull().default(false),
    renderedAt: ts('rendered_at'),
    closedAt: ts('closed_at'),
  },
  (t) => [
    uniqueIndex('votes_open_uq').on(t.blockId).where(sql`status = 'open'`),
    index('votes_due_idx').on(t.closesAt).where(sql`status = 'open'`),
    index('votes_render_idx').on(t.renderedAt).where(sql`render_needed`),
  ],
);

/** Who may vote: the chat's members when the vote opened, other than the blocked member. */
export const voteVoters = pgTable(
  'vote_voters',
  {
    voteId: integer('vote_id')
      .notNull()
      .references(() => votes.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
  },
  (t) => [primaryKey({ columns: [t.voteId, t.accountId] })],
);

/** Each voter's current choice; changing it replaces the row (the audit log keeps every change). */
export const ballots = pgTable(
  'ballots',
  {
    voteId: integer('vote_id')
      .notNull()
      .references(() => votes.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** object or no_objection */
    choice: text('choice').$type<Choice>().notNull(),
    castAt: ts('cast_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.voteId, t.accountId] })],
);
