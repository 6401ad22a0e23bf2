import { sql } from 'drizzle-orm';
import { integer, jsonb, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, ts } from './columns.js';
import { schools } from './schools.js';

/** A group chat the bot was added to. `settings` is validated by `ChatSettings` (src/moderation/settings.ts). */
export const chats = pgTable(
  'chats',
  {
    id: serial('id').primaryKey(),
    /** The school the chat belongs to, once that school confirmed it; none until then (attachments). */
    schoolId: integer('school_id').references(() => schools.id),
    platform: text('platform').notNull(),
    platformChatId: text('platform_chat_id').notNull(),
    type: text('type').notNull(),
    title: text('title').notNull().default(''),
    settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
    /** The bot's own standing: member, administrator, left or kicked. */
    botStatus: text('bot_status').notNull(),
    botRights: jsonb('bot_rights').notNull().default(sql`'{}'::jsonb`),
    adminsRefreshedAt: ts('admins_refreshed_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('chats_platform_chat_uq').on(t.platform, t.platformChatId)],
);
