import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { chats } from './chats.js';
import { ts } from './columns.js';
import { schools } from './schools.js';

export type PersonKind = 'student' | 'guardian' | 'staff';
/** Where roster events came from: the events API, a full snapshot, or the secretary's CSV files. */
export type RosterSource = 'events' | 'snapshot' | 'csv';
/** pending, done, failed, or lifted (re-enrolment unbanned them). */
export type RemovalStatus = 'pending' | 'done' | 'failed' | 'lifted';

/** A student, guardian or employee as the school's roster knows them, keyed by the school's own id. */
export const persons = pgTable(
  'persons',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    /** student, guardian or staff */
    kind: text('kind').$type<PersonKind>().notNull(),
    externalId: text('external_id').notNull(),
    name: text('name'),
    /** The student's class (students only). */
    classCode: text('class_code'),
    /** active or departed */
    status: text('status').$type<'active' | 'departed'>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('persons_external_uq').on(t.schoolId, t.kind, t.externalId),
    index('persons_class_idx').on(t.schoolId, t.classCode),
  ],
);

/** Which guardian has which child; a guardian may have several. */
export const guardianships = pgTable(
  'guardianships',
  {
    guardianId: integer('guardian_id')
      .notNull()
      .references(() => persons.id),
    studentId: integer('student_id')
      .notNull()
      .references(() => persons.id),
  },
  (t) => [
    primaryKey({ columns: [t.guardianId, t.studentId] }),
    index('guardianships_student_idx').on(t.studentId),
  ],
);

/** A messenger account linked to a roster person (by a personal invitation or by a moderator). */
export const personAccounts = pgTable(
  'person_accounts',
  {
    personId: integer('person_id')
      .notNull()
      .references(() => persons.id),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** invitation or moderator */
    linkedBy: text('linked_by').$type<'invitation' | 'moderator'>().notNull(),
    linkedAt: ts('linked_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.personId, t.accountId] }),
    index('person_accounts_account_idx').on(t.accountId),
  ],
);

/** Roster events as received, so a repeated event id is applied once. */
export const rosterEvents = pgTable(
  'roster_events',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    /** events (POST), snapshot (PUT) or csv */
    source: text('source').$type<RosterSource>().notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [uniqueIndex('roster_events_uq').on(t.schoolId, t.eventId)],
);

/** A personal invitation: a code the person sends the bot (`/start <code>`) to link their account. */
export const invitations = pgTable(
  'invitations',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    personId: integer('person_id')
      .notNull()
      .references(() => persons.id),
    code: text('code').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    claimedAt: ts('claimed_at'),
    claimedByAccountId: integer('claimed_by_account_id').references(() => accounts.id),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    uniqueIndex('invitations_code_uq').on(t.code),
    index('invitations_due_idx').on(t.expiresAt).where(sql`claimed_at is null and revoked_at is null`),
  ],
);

/**
 * Removing one account from one chat because the roster said so (regulation 4.13.8): a durable job
 * carried out through the outbox, summarised once per chat and batch.
 */
export const removals = pgTable(
  'removals',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id')
      .notNull()
      .references(() => schools.id),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    personId: integer('person_id')
      .notNull()
      .references(() => persons.id),
    /** The student whose departure or transfer caused it (for a guardian), so re-enrolment can undo it. */
    causeStudentId: integer('cause_student_id').references(() => persons.id),
    rosterEventId: integer('roster_event_id')
      .notNull()
      .references(() => rosterEvents.id),
    /** One roster request: its removals in one chat get one summary message. */
    batch: text('batch').notNull(),
    reason: text('reason').notNull(),
    /** pending, done, failed or lifted (re-enrolment unbanned them) */
    status: text('status').$type<RemovalStatus>().notNull(),
    error: text('error'),
    createdAt: ts('created_at').notNull(),
    doneAt: ts('done_at'),
  },
  (t) => [
    index('removals_batch_idx').on(t.batch, t.chatId),
    index('removals_account_idx').on(t.chatId, t.accountId),
    index('removals_person_idx').on(t.personId),
  ],
);
