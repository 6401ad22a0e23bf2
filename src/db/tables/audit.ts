import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { chats } from './chats.js';
import { ts } from './columns.js';
import { schools } from './schools.js';

/** Who acted: a moderator, a member (an apology, a vote), the bot itself, or the school's roster. */
export type ActorKind = 'moderator' | 'member' | 'system' | 'roster';

/**
 * Append-only record of every moderation action and why (regulation 4.13.7). A trigger in the
 * migrations refuses UPDATE and DELETE.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    schoolId: integer('school_id').references(() => schools.id),
    chatId: integer('chat_id').references(() => chats.id),
    /** moderator, member, system or roster */
    actorKind: text('actor_kind').$type<ActorKind>().notNull(),
    actorAccountId: integer('actor_account_id').references(() => accounts.id),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    targetAccountId: integer('target_account_id').references(() => accounts.id),
    ruleNumber: integer('rule_number'),
    reason: text('reason'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    index('audit_log_chat_idx').on(t.chatId, t.id),
    // The dashboard's audit log of a school, newest first, and its filter by action.
    index('audit_log_school_idx').on(t.schoolId, t.id),
    index('audit_log_chat_action_idx').on(t.chatId, t.action, t.id),
  ],
);
