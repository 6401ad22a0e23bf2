import { index, integer, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { ts } from './columns.js';
import { schools } from './schools.js';

/** Who a dashboard link or session is for: a moderator (an account) or a school's administrator. */
export type DashboardRole = 'moderator' | 'school';

/**
 * A single-use sign-in link for the dashboard (`/dashboard` in a private chat, or the CLI for a school):
 * only the SHA-256 of its token is kept; it works once, until `expires_at`.
 */
export const dashboardLinks = pgTable(
  'dashboard_links',
  {
    id: serial('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    role: text('role').$type<DashboardRole>().notNull(),
    accountId: integer('account_id').references(() => accounts.id),
    schoolId: integer('school_id').references(() => schools.id),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [
    uniqueIndex('dashboard_links_token_uq').on(t.tokenHash),
    index('dashboard_links_expiry_idx').on(t.expiresAt),
  ],
);

/** A signed-in dashboard session: the cookie's SHA-256 and its CSRF secret, for 8 hours. */
export const dashboardSessions = pgTable(
  'dashboard_sessions',
  {
    id: serial('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    role: text('role').$type<DashboardRole>().notNull(),
    accountId: integer('account_id').references(() => accounts.id),
    schoolId: integer('school_id').references(() => schools.id),
    csrfSecret: text('csrf_secret').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('dashboard_sessions_token_uq').on(t.tokenHash),
    index('dashboard_sessions_expiry_idx').on(t.expiresAt),
  ],
);
