import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { createdAt, ts } from './columns.js';

/** A school: the tenant. One is created at first start; the roster API addresses schools by token. */
export const schools = pgTable('schools', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** What a moderator types to attach a chat to this school (`/settings school <code>`). */
  code: text('code').unique(),
  /** Personal invitations not claimed within this many days are revoked (regulation 4.11.2). */
  inviteDays: integer('invite_days').notNull().default(14),
  /** Retention (152-ФЗ) in days; null means the default from the configuration. */
  retentionStrikeDays: integer('retention_strike_days'),
  retentionDepartedDays: integer('retention_departed_days'),
  retentionAuditDays: integer('retention_audit_days'),
  /** The school's privacy notice (operator, purposes, contacts), shown with the rules and by /privacy. */
  privacyNotice: text('privacy_notice'),
  createdAt: createdAt(),
});

/** A school's API token for the roster system. Only a hash is stored; the token is shown once. */
export const schoolTokens = pgTable('school_tokens', {
  id: serial('id').primaryKey(),
  schoolId: integer('school_id')
    .notNull()
    .references(() => schools.id),
  label: text('label').notNull().default(''),
  secretHash: text('secret_hash').notNull(),
  createdAt: ts('created_at').notNull(),
  revokedAt: ts('revoked_at'),
  lastUsedAt: ts('last_used_at'),
});
