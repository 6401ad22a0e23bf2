import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { schools } from './schools.js';

/** One category of personal data an erasure destroyed, and how many records. */
export interface DestroyedCategory {
  category: string;
  count: number;
}

/** An audit entry in an act's log extract (after redaction: no names). */
export interface LogExtractEntry {
  id: number;
  at: string;
  action: string;
  chatId: number | null;
  actorKind: string;
}

/**
 * An act of destruction of personal data (152-ФЗ art. 21): what was destroyed, how many records, when,
 * on whose request, with the extract of the audit log. It names nobody: the subject is a keyed hash.
 */
export const destructionActs = pgTable(
  'destruction_acts',
  {
    id: serial('id').primaryKey(),
    schoolId: integer('school_id').references(() => schools.id),
    /** student, guardian, staff or account */
    subjectKind: text('subject_kind').notNull(),
    /** A keyed hash of the subject's id, so a repeated request finds the first act. */
    subjectKey: text('subject_key').notNull(),
    requestedBy: text('requested_by').notNull(),
    reason: text('reason').notNull(),
    at: ts('at').notNull(),
    categories: jsonb('categories').$type<DestroyedCategory[]>().notNull(),
    logExtract: jsonb('log_extract').$type<LogExtractEntry[]>().notNull(),
    /** What was kept and why (an active block's end, the removal list). */
    kept: jsonb('kept').$type<DestroyedCategory[]>().notNull().default(sql`'[]'::jsonb`),
  },
  (t) => [
    uniqueIndex('destruction_acts_subject_uq').on(t.schoolId, t.subjectKind, t.subjectKey),
    index('destruction_acts_school_idx').on(t.schoolId, t.id),
  ],
);
