import { z } from 'zod';
import { externalKey, type PersonKind } from '../../db/repos/roster.js';
import { describeIssues, EVENT_SCHEMAS, type EventType, type RosterEvent } from './schemas.js';

export const MAX_EVENTS = 5000;

/**
 * A batch of events as the API documents it (the OpenAPI document is generated from it): the same event
 * schemas {@link validateEvents} checks one by one, so that each event's problems come with its index.
 */
export const EventsBatchSchema = z.object({
  events: z
    .array(
      z.discriminatedUnion('type', [
        EVENT_SCHEMAS['student.enrolled'],
        EVENT_SCHEMAS['student.transferred'],
        EVENT_SCHEMAS['student.departed'],
        EVENT_SCHEMAS['guardian.linked'],
        EVENT_SCHEMAS['guardian.unlinked'],
        EVENT_SCHEMAS['staff.hired'],
        EVENT_SCHEMAS['staff.departed'],
      ]),
    )
    .min(1)
    .max(MAX_EVENTS),
});

export interface EventProblem {
  index: number;
  id?: string;
  problems: string[];
}

export type Validation =
  | { ok: true; events: RosterEvent[] }
  | { ok: false; problems: EventProblem[]; message: string };

/** Checks a batch: each event's shape, duplicate ids in the batch, and the persons events refer to. */
export function validateEvents(body: unknown, known: (kind: PersonKind, id: string) => boolean): Validation {
  if (
    !body ||
    typeof body !== 'object' ||
    Array.isArray(body) ||
    !Array.isArray((body as { events?: unknown }).events)
  ) {
    return { ok: false, problems: [], message: 'the body must be an object with an "events" array' };
  }
  const raw = (body as { events: unknown[] }).events;
  if (raw.length === 0) return { ok: false, problems: [], message: '"events" is empty' };
  if (raw.length > MAX_EVENTS)
    return { ok: false, problems: [], message: `at most ${MAX_EVENTS} events per request` };
  const problems: EventProblem[] = [];
  const events: RosterEvent[] = [];
  const seenIds = new Set<string>();
  const enrolled = new Set<string>();
  const exists = (kind: PersonKind, id: string) => known(kind, id) || enrolled.has(externalKey(kind, id));
  raw.forEach((item, index) => {
    const type = item && typeof item === 'object' ? (item as { type?: unknown }).type : undefined;
    const id = item && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
    const entry: EventProblem = { index, ...(typeof id === 'string' ? { id } : {}), problems: [] };
    if (typeof type !== 'string' || !(type in EVENT_SCHEMAS)) {
      entry.problems.push(
        `type ${typeof type === 'string' ? `"${type}" is unknown` : 'is required'}; expected one of ${Object.keys(EVENT_SCHEMAS).join(', ')}`,
      );
      problems.push(entry);
      return;
    }
    const parsed = EVENT_SCHEMAS[type as EventType].safeParse(item);
    if (!parsed.success) {
      entry.problems.push(...describeIssues(parsed.error, item));
      problems.push(entry);
      return;
    }
    const event = parsed.data as RosterEvent;
    if (seenIds.has(event.id)) entry.problems.push(`id "${event.id}" appears more than once in this request`);
    seenIds.add(event.id);
    switch (event.type) {
      case 'student.enrolled':
        enrolled.add(externalKey('student', event.studentId));
        break;
      case 'student.transferred':
      case 'student.departed':
        if (!exists('student', event.studentId))
          entry.problems.push(`studentId "${event.studentId}" is not a student of this school`);
        break;
      case 'guardian.linked':
        if (!exists('student', event.studentId))
          entry.problems.push(`studentId "${event.studentId}" is not a student of this school`);
        enrolled.add(externalKey('guardian', event.guardianId));
        break;
      case 'guardian.unlinked':
        if (!exists('student', event.studentId))
          entry.problems.push(`studentId "${event.studentId}" is not a student of this school`);
        if (!exists('guardian', event.guardianId))
          entry.problems.push(`guardianId "${event.guardianId}" is not a guardian of this school`);
        break;
      case 'staff.hired':
        enrolled.add(externalKey('staff', event.staffId));
        break;
      case 'staff.departed':
        if (!exists('staff', event.staffId))
          entry.problems.push(`staffId "${event.staffId}" is not an employee of this school`);
        break;
    }
    if (entry.problems.length > 0) problems.push(entry);
    events.push(event);
  });
  if (problems.length > 0)
    return {
      ok: false,
      problems,
      message: `${problems.length} of ${raw.length} events are invalid; nothing was applied`,
    };
  return { ok: true, events };
}
