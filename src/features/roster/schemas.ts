import { z } from 'zod';
import { isCleanText } from '../../lib/text.js';

/**
 * The roster's input, one schema for the API, the snapshot and the CSV import: the events a school's
 * information system pushes (regulation 4.13.8) and the shape of a full roster.
 */

export const schoolId = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' })
  .regex(/^[\p{L}\p{N}_.:\-/]+$/u, { message: 'may hold letters, digits and _ . : - / only' });
const classCode = z
  .string({ message: 'must be a string' })
  .trim()
  .regex(/^[\p{L}\p{N}-]{1,16}$/u, { message: 'must be a class code such as 7Б' })
  .transform((code) => code.toUpperCase());
/** No control characters (NUL, line breaks) and no broken Unicode: a name or an id a person could type. */
const CLEAN = { message: 'must not hold control characters or broken Unicode' };
const name = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1)
  .max(200, { message: 'must be at most 200 characters' })
  .refine((text) => isCleanText(text), CLEAN);
const eventId = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(128, { message: 'must be at most 128 characters' })
  .refine((text) => isCleanText(text), CLEAN);

export const EVENT_SCHEMAS = {
  'student.enrolled': z.object({
    id: eventId,
    type: z.literal('student.enrolled'),
    studentId: schoolId,
    classCode,
    name: name.optional(),
  }),
  'student.transferred': z.object({
    id: eventId,
    type: z.literal('student.transferred'),
    studentId: schoolId,
    classCode,
  }),
  'student.departed': z.object({ id: eventId, type: z.literal('student.departed'), studentId: schoolId }),
  'guardian.linked': z.object({
    id: eventId,
    type: z.literal('guardian.linked'),
    guardianId: schoolId,
    studentId: schoolId,
    name: name.optional(),
  }),
  'guardian.unlinked': z.object({
    id: eventId,
    type: z.literal('guardian.unlinked'),
    guardianId: schoolId,
    studentId: schoolId,
  }),
  'staff.hired': z.object({
    id: eventId,
    type: z.literal('staff.hired'),
    staffId: schoolId,
    name: name.optional(),
  }),
  'staff.departed': z.object({ id: eventId, type: z.literal('staff.departed'), staffId: schoolId }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type RosterEvent = { [K in EventType]: z.infer<(typeof EVENT_SCHEMAS)[K]> }[EventType];

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** One sentence per problem: "classCode is required", "staffId must be a string". */
export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.join('.');
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined)
      return `${field} is required`;
    return field ? `${field} ${issue.message}` : issue.message;
  });
}

/** A roster snapshot. A category left out (a CSV import without staff.csv) is left as it is. */
export interface Snapshot {
  students?: Array<{ id: string; classCode: string; name?: string | undefined }>;
  guardians?: Array<{ id: string; studentIds: string[]; name?: string | undefined }>;
  staff?: Array<{ id: string; name?: string | undefined }>;
}

export const SNAPSHOT_ROWS = {
  student: z.object({ id: schoolId, classCode, name: name.optional() }),
  guardian: z.object({
    id: schoolId,
    studentIds: z
      .array(schoolId)
      .min(1, { message: 'must list at least one student' })
      .max(20, { message: 'may list at most 20 students' }),
    name: name.optional(),
  }),
  staff: z.object({ id: schoolId, name: name.optional() }),
};

export const SnapshotSchema = z
  .object({
    students: z.array(SNAPSHOT_ROWS.student).max(20_000),
    guardians: z.array(SNAPSHOT_ROWS.guardian).max(40_000),
    staff: z.array(SNAPSHOT_ROWS.staff).max(5_000),
  })
  .superRefine((snapshot, ctx) => {
    const students = new Set<string>();
    snapshot.students.forEach((student, index) => {
      if (students.has(student.id))
        ctx.addIssue({
          code: 'custom',
          path: ['students', index, 'id'],
          message: `"${student.id}" appears twice`,
        });
      students.add(student.id);
    });
    snapshot.guardians.forEach((guardian, index) => {
      guardian.studentIds.forEach((studentId, j) => {
        if (!students.has(studentId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['guardians', index, 'studentIds', j],
            message: `"${studentId}" is not among the students`,
          });
        }
      });
    });
  });
