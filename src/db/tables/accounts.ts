import { boolean, index, integer, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { chats } from './chats.js';
import { createdAt, ts } from './columns.js';

/** Where a person stands in a chat as the bot last saw it (administrators are members too). */
export type MembershipStatus = 'member' | 'restricted' | 'left' | 'kicked';

/** A person's account on a messenger (not yet a roster person). */
export const accounts = pgTable(
  'accounts',
  {
    id: serial('id').primaryKey(),
    platform: text('platform').notNull(),
    platformUserId: text('platform_user_id').notNull(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name'),
    username: text('username'),
    languageCode: text('language_code'),
    isBot: boolean('is_bot').notNull().default(false),
    /** The person wrote to the bot in private, so the bot may message them there. */
    privateChatOpen: boolean('private_chat_open').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /** When the school had the person's data erased (152-ФЗ); the platform id goes once nothing needs it. */
    erasedAt: ts('erased_at'),
  },
  (t) => [uniqueIndex('accounts_platform_user_uq').on(t.platform, t.platformUserId)],
);

/** Who is in which chat, as far as the bot has seen (Telegram has no member list). */
export const chatMembers = pgTable(
  'chat_members',
  {
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** member, restricted, left or kicked (admins are members too; see chat_admins). */
    status: text('status').$type<MembershipStatus>().notNull(),
    joinedAt: ts('joined_at'),
    leftAt: ts('left_at'),
    firstSeenAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.chatId, t.accountId] }),
    index('chat_members_account_idx').on(t.accountId),
  ],
);

/** The chat's administrators — its moderators — as last read from the platform. */
export const chatAdmins = pgTable(
  'chat_admins',
  {
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    platformUserId: text('platform_user_id').notNull(),
    accountId: integer('account_id').references(() => accounts.id),
    status: text('status').$type<'creator' | 'administrator'>().notNull(),
    isAnonymous: boolean('is_anonymous').notNull().default(false),
    refreshedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.platformUserId] })],
);
