import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { chats } from './chats.js';
import { ts } from './columns.js';

/** pending, accepted (approval under way), approved, declined or expired. */
/** How the rules were accepted: through a join request, the greeting's button, or `/rules confirm`. */
export type AcceptedVia = 'join_request' | 'greeting' | 'confirm';
export type JoinRequestStatus = 'pending' | 'accepted' | 'approved' | 'declined' | 'expired';

/** Invite links the bot created (join-request links for the rules gate; personal ones for the roster). */
export const inviteLinks = pgTable(
  'invite_links',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    name: text('name').notNull(),
    /** chat (a moderator's /invite, valid for the chat's `invite_link_days`) or personal (a roster invitation) */
    kind: text('kind').$type<'chat' | 'personal'>().notNull(),
    createdByAccountId: integer('created_by_account_id').references(() => accounts.id),
    /** For a personal link: the invitation it was made for. */
    invitationId: integer('invitation_id'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('invite_links_url_uq').on(t.url),
    // The scheduled revocation looks only at live links that expire (4.11.2).
    index('invite_links_due_idx').on(t.expiresAt).where(sql`revoked_at IS NULL AND expires_at IS NOT NULL`),
  ],
);

/**
 * In a school chat, someone the school's roster does not know is let in only by a moderator (4.13.8,
 * 4.11.2: strangers never enter a class chat unseen): accepting the rules alone is not enough.
 */
const admission = () => ({
  needsModerator: boolean('needs_moderator').notNull().default(false),
  moderatorDecision: text('moderator_decision').$type<'approved' | 'declined'>(),
  decidedByAccountId: integer('decided_by_account_id').references(() => accounts.id),
  /** When the person accepted the rules (they may still wait for a moderator). */
  rulesAcceptedAt: ts('rules_accepted_at'),
});

/** A request to join through a join-request link: approved only once the applicant accepts the rules. */
export const joinRequests = pgTable(
  'join_requests',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** Where the bot writes to the applicant (Telegram's user_chat_id). */
    privateChatId: text('private_chat_id').notNull(),
    inviteLink: text('invite_link'),
    /** pending, accepted (approval under way), approved, declined or expired */
    status: text('status').$type<JoinRequestStatus>().notNull(),
    rulesVersion: integer('rules_version').notNull(),
    /** The private message with the rules and the button. */
    messageId: text('message_id'),
    requestedAt: ts('requested_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    decidedAt: ts('decided_at'),
    ...admission(),
  },
  (t) => [
    uniqueIndex('join_requests_open_uq')
      .on(t.chatId, t.accountId)
      .where(sql`status in ('pending', 'accepted')`),
    index('join_requests_due_idx').on(t.expiresAt).where(sql`status = 'pending'`),
  ],
);

/** One greeting message in the chat, shared by the newcomers who arrived within a minute of each other. */
export const greetings = pgTable('greetings', {
  id: serial('id').primaryKey(),
  chatId: integer('chat_id')
    .notNull()
    .references(() => chats.id, { onDelete: 'cascade' }),
  messageId: text('message_id'),
  /** Whether newcomers must press the button (the rules gate was on when it was posted). */
  gated: boolean('gated').notNull(),
  /** Newcomer ids the posted text names, so a later newcomer triggers an edit. */
  rendered: jsonb('rendered').notNull().default(sql`'[]'::jsonb`),
  createdAt: ts('created_at').notNull(),
  closedAt: ts('closed_at'),
});

/** A newcomer who arrived without a join request and is read-only until they accept the rules. */
export const gateEntries = pgTable(
  'gate_entries',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    greetingId: integer('greeting_id').references(() => greetings.id),
    /** pending, accepted or left */
    status: text('status').$type<'pending' | 'welcomed' | 'accepted' | 'left'>().notNull(),
    joinedAt: ts('joined_at').notNull(),
    decidedAt: ts('decided_at'),
    ...admission(),
  },
  (t) => [
    uniqueIndex('gate_entries_pending_uq').on(t.chatId, t.accountId).where(sql`status = 'pending'`),
    index('gate_entries_greeting_idx').on(t.greetingId),
  ],
);

/** Proof that a person accepted a version of a chat's rules (regulation 4.13.3). */
export const acceptances = pgTable(
  'acceptances',
  {
    id: serial('id').primaryKey(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    rulesVersion: integer('rules_version').notNull(),
    /** join_request, greeting or confirm */
    via: text('via').$type<AcceptedVia>().notNull(),
    acceptedAt: ts('accepted_at').notNull(),
  },
  (t) => [uniqueIndex('acceptances_uq').on(t.chatId, t.accountId, t.rulesVersion)],
);
