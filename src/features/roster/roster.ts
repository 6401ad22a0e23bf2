import { inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import { createAccountsRepository, createMembersRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import {
  createRosterRepository,
  externalKey,
  type LoadedPerson,
  type PersonKind,
  type RosterSnapshot,
} from '../../db/repos/roster.js';
import { accounts, chatAdmins, chats } from '../../db/schema.js';
import type { Platform } from '../../messenger/port.js';
import { type Removal, type RosterChange, removalsFor } from '../../moderation/departures.js';
import { enqueue, type OutcomeHandler } from '../../outbox/outbox.js';
import { chatAddress, displayName } from '../../runtime/format.js';
import type { Core, Work } from '../../runtime/services.js';

/**
 * The roster (regulation 4.13.8): the school's information system tells the bot who is enrolled; the
 * bot removes departed students, their families and departed employees from the school's chats —
 * durably, once per chat and person, with an audit trail and one summary message per chat and batch.
 */

const schoolId = z
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
const name = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1)
  .max(200, { message: 'must be at most 200 characters' });
const eventId = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(128, { message: 'must be at most 128 characters' });

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

export const MAX_EVENTS = 5000;

export interface EventProblem {
  index: number;
  id?: string;
  problems: string[];
}

export type Validation =
  | { ok: true; events: RosterEvent[] }
  | { ok: false; problems: EventProblem[]; message: string };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** One sentence per problem: "classCode is required", "staffId must be a string". */
function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.join('.');
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined)
      return `${field} is required`;
    return field ? `${field} ${issue.message}` : issue.message;
  });
}

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

export interface ApplyResult {
  applied: number;
  duplicates: string[];
  removals: number;
  reinstated: number;
}

/** A removal decided, with the event that caused it. */
interface Decided extends Removal {
  rosterEventId: number;
}

class Applier {
  readonly removals: Decided[] = [];
  readonly lifts: number[] = [];
  private readonly repo;

  constructor(
    private readonly work: Work,
    private readonly school: number,
    private readonly state: RosterSnapshot,
  ) {
    this.repo = createRosterRepository(work.tx);
  }

  private find(kind: PersonKind, id: string): LoadedPerson | undefined {
    const personId = this.state.byExternal.get(externalKey(kind, id));
    return personId === undefined ? undefined : this.state.persons.get(personId);
  }

  private async upsert(
    kind: PersonKind,
    id: string,
    fields: { name?: string | undefined; classCode?: string },
  ) {
    const existing = this.find(kind, id);
    const now = this.work.now;
    if (!existing) {
      const row = await this.repo.insertPerson({
        schoolId: this.school,
        kind,
        externalId: id,
        name: fields.name ?? null,
        classCode: fields.classCode ?? null,
        status: 'active',
        createdAt: now,
        updatedAt: now,
      });
      const person: LoadedPerson = {
        id: row.id,
        kind,
        active: true,
        classCode: row.classCode,
        children: [],
        externalId: id,
        name: row.name,
      };
      this.state.persons.set(row.id, person);
      this.state.byExternal.set(externalKey(kind, id), row.id);
      return { person, wasActive: false, created: true };
    }
    const wasActive = existing.active;
    const changes = {
      status: 'active',
      updatedAt: now,
      ...(fields.name ? { name: fields.name } : {}),
      ...(fields.classCode ? { classCode: fields.classCode } : {}),
    };
    await this.repo.updatePerson(existing.id, changes);
    existing.active = true;
    if (fields.name) existing.name = fields.name;
    return { person: existing, wasActive, created: false };
  }

  private guardiansOf(studentId: number): number[] {
    return [...this.state.persons.values()]
      .filter((person) => person.kind === 'guardian' && (person.children ?? []).includes(studentId))
      .map((person) => person.id);
  }

  private decide(change: RosterChange, rosterEventId: number) {
    for (const removal of removalsFor(change, this.state)) this.removals.push({ ...removal, rosterEventId });
  }

  async apply(event: RosterEvent, rosterEventId: number): Promise<void> {
    switch (event.type) {
      case 'student.enrolled': {
        const before = this.find('student', event.studentId);
        const fromClass = before?.classCode ?? null;
        const { person, wasActive } = await this.upsert('student', event.studentId, {
          name: event.name,
          classCode: event.classCode,
        });
        if (before && !wasActive) this.lifts.push(person.id);
        if (before && wasActive && fromClass && fromClass !== event.classCode) {
          person.classCode = event.classCode;
          this.decide(
            {
              type: 'student_transferred',
              studentId: person.id,
              fromClass,
              guardianIds: this.guardiansOf(person.id),
            },
            rosterEventId,
          );
        }
        person.classCode = event.classCode;
        return;
      }
      case 'student.transferred': {
        const person = this.find('student', event.studentId);
        if (!person || person.classCode === event.classCode) return;
        const fromClass = person.classCode ?? null;
        await this.repo.updatePerson(person.id, { classCode: event.classCode, updatedAt: this.work.now });
        person.classCode = event.classCode;
        if (person.active) {
          this.decide(
            {
              type: 'student_transferred',
              studentId: person.id,
              fromClass,
              guardianIds: this.guardiansOf(person.id),
            },
            rosterEventId,
          );
        }
        return;
      }
      case 'student.departed': {
        const person = this.find('student', event.studentId);
        if (!person?.active) return;
        await this.repo.updatePerson(person.id, { status: 'departed', updatedAt: this.work.now });
        person.active = false;
        this.decide(
          {
            type: 'student_departed',
            studentId: person.id,
            classCode: person.classCode ?? null,
            guardianIds: this.guardiansOf(person.id),
          },
          rosterEventId,
        );
        return;
      }
      case 'guardian.linked': {
        const { person } = await this.upsert('guardian', event.guardianId, { name: event.name });
        const student = this.find('student', event.studentId);
        if (!student) return;
        await this.repo.link(person.id, student.id);
        person.children = [...new Set([...(person.children ?? []), student.id])];
        return;
      }
      case 'guardian.unlinked': {
        const guardian = this.find('guardian', event.guardianId);
        const student = this.find('student', event.studentId);
        if (!guardian || !student || !(guardian.children ?? []).includes(student.id)) return;
        await this.repo.unlink(guardian.id, student.id);
        guardian.children = (guardian.children ?? []).filter((id) => id !== student.id);
        this.decide(
          {
            type: 'guardian_unlinked',
            guardianId: guardian.id,
            studentId: student.id,
            classCode: student.classCode ?? null,
          },
          rosterEventId,
        );
        return;
      }
      case 'staff.hired': {
        const before = this.find('staff', event.staffId);
        const { person, wasActive } = await this.upsert('staff', event.staffId, { name: event.name });
        if (before && !wasActive) this.lifts.push(person.id);
        return;
      }
      case 'staff.departed': {
        const person = this.find('staff', event.staffId);
        if (!person?.active) return;
        await this.repo.updatePerson(person.id, { status: 'departed', updatedAt: this.work.now });
        person.active = false;
        this.decide({ type: 'staff_departed', staffId: person.id }, rosterEventId);
        return;
      }
    }
  }
}

/** Serialises roster changes of one school across requests and replicas. */
async function lockSchool(tx: Tx, id: number): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(7557, ${id})`);
}

/**
 * Applies a validated batch in one transaction: events already seen are reported as duplicates and
 * applied once; every removal becomes a durable ban in the outbox, summarised per chat.
 */
export async function applyRosterEvents(
  core: Core,
  school: number,
  events: readonly RosterEvent[],
  source: 'events' | 'snapshot' | 'csv',
): Promise<ApplyResult> {
  return core.transact(async (work) => {
    await lockSchool(work.tx, school);
    const repo = createRosterRepository(work.tx);
    const state = await repo.loadSnapshot(school, core.deps.defaultLanguage);
    const applier = new Applier(work, school, state);
    const duplicates: string[] = [];
    let applied = 0;
    for (const event of events) {
      const rosterEventId = await repo.recordEvent(school, event.id, event.type, event, source, work.now);
      if (rosterEventId === undefined) {
        duplicates.push(event.id);
        continue;
      }
      await applier.apply(event, rosterEventId);
      applied += 1;
    }
    const removals = await scheduleRemovals(work, school, applier.removals);
    const reinstated = await liftRemovals(core, work, applier.lifts);
    return { applied, duplicates, removals, reinstated };
  });
}

async function scheduleRemovals(work: Work, school: number, decided: Decided[]): Promise<number> {
  if (decided.length === 0) return 0;
  const repo = createRosterRepository(work.tx);
  const chatIds = [...new Set(decided.map((removal) => removal.chatId))];
  const accountIds = [...new Set(decided.map((removal) => removal.accountId))];
  const chatRows = await work.tx.select().from(chats).where(inArray(chats.id, chatIds));
  const accountRows = await work.tx.select().from(accounts).where(inArray(accounts.id, accountIds));
  const admins = await work.tx
    .select({ chatId: chatAdmins.chatId, accountId: chatAdmins.accountId })
    .from(chatAdmins)
    .where(inArray(chatAdmins.chatId, chatIds));
  const isAdmin = new Set(admins.map((admin) => `${admin.chatId}:${admin.accountId}`));
  const chatById = new Map(chatRows.map((row) => [row.id, row]));
  const accountById = new Map(accountRows.map((row) => [row.id, row]));
  const batch = `${school}:${work.now.getTime()}:${Math.random().toString(36).slice(2, 8)}`;
  const seen = new Set<string>();
  let scheduled = 0;
  for (const removal of decided) {
    const key = `${removal.chatId}:${removal.accountId}`;
    const chat = chatById.get(removal.chatId);
    const account = accountById.get(removal.accountId);
    if (seen.has(key) || !chat || !account) continue;
    seen.add(key);
    // Administrators are the chat's moderators and cannot be banned; already removed people stay removed.
    if (isAdmin.has(key) || (await repo.removedFrom(removal.chatId, removal.accountId))) continue;
    const row = await repo.insertRemoval({
      schoolId: school,
      chatId: removal.chatId,
      accountId: removal.accountId,
      personId: removal.personId,
      causeStudentId: removal.causeStudentId ?? null,
      rosterEventId: removal.rosterEventId,
      batch,
      reason: removal.reason,
      status: 'pending',
      createdAt: work.now,
    });
    await work.enqueue(
      {
        type: 'ban',
        chat: { platform: chat.platform as Platform, chatId: chat.platformChatId },
        userId: account.platformUserId,
      },
      {
        chatId: chat.id,
        onDone: { name: 'roster.removal', args: { removalId: row.id } },
        onFailed: { name: 'roster.removal', args: { removalId: row.id } },
      },
    );
    scheduled += 1;
  }
  return scheduled;
}

/** Re-enrolment: the bans the person's (or their child's) departure caused are lifted. */
async function liftRemovals(core: Core, work: Work, personIds: number[]): Promise<number> {
  const repo = createRosterRepository(work.tx);
  let lifted = 0;
  for (const personId of personIds) {
    for (const removal of await repo.liftableRemovals(personId)) {
      const chat = await createChatsRepository(work.tx, core.deps.defaultLanguage).byId(removal.chatId);
      const account = await createAccountsRepository(work.tx).byId(removal.accountId);
      if (!chat || !account) continue;
      await repo.updateRemoval(removal.id, { status: 'lifted' });
      await work.enqueue(
        { type: 'unban', chat: chatAddress(chat), userId: account.platformUserId },
        { chatId: chat.id },
      );
      await createAuditRepository(work.tx).append({
        at: work.now,
        schoolId: removal.schoolId,
        chatId: chat.id,
        actorKind: 'roster',
        action: 'removal_lifted',
        targetAccountId: account.id,
        details: { removalId: removal.id, personId },
      });
      lifted += 1;
    }
  }
  return lifted;
}

/** Once every removal of a batch in a chat has an outcome, the chat gets one summary message. */
async function summarise(core: Core, tx: Tx, batch: string, chatId: number): Promise<void> {
  const rows = await createRosterRepository(tx).batchRemovals(batch, chatId);
  if (rows.some((row) => row.status === 'pending')) return;
  const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(chatId);
  if (!chat) return;
  const people = await tx
    .select()
    .from(accounts)
    .where(
      inArray(
        accounts.id,
        rows.map((row) => row.accountId),
      ),
    );
  const nameOf = new Map(people.map((row) => [row.id, displayName(row)]));
  const t = core.texts.t(chat.settings.language);
  const done = rows.filter((row) => row.status === 'done').map((row) => nameOf.get(row.accountId) ?? '—');
  const failed = rows.filter((row) => row.status === 'failed');
  const lines: string[] = [];
  if (done.length > 0) lines.push(t('roster.removed_summary', { names: done.join(', ') }));
  if (failed.length > 0) {
    lines.push(
      t('roster.failed_summary', {
        names: failed.map((row) => nameOf.get(row.accountId) ?? '—').join(', '),
        why: failed[0]?.error === 'NOT_ENOUGH_RIGHTS' ? t('strike.why_rights') : (failed[0]?.error ?? ''),
      }),
    );
  }
  if (lines.length > 0)
    await enqueue(
      tx,
      core.clock,
      { type: 'send', chat: chatAddress(chat), text: lines.join('\n') },
      { chatId },
    );
}

export function rosterOutcomeHandlers(core: Core): Map<string, OutcomeHandler> {
  const record = async (
    tx: Tx,
    removalId: number,
    outcome: 'done' | 'failed',
    error?: { code: string; message: string },
  ) => {
    const repo = createRosterRepository(tx);
    const removal = await repo.removal(removalId);
    if (removal?.status !== 'pending') return;
    const now = core.clock.now();
    await repo.updateRemoval(removal.id, { status: outcome, doneAt: now, error: error?.code ?? null });
    if (outcome === 'done') {
      await createMembersRepository(tx).markGone(removal.chatId, removal.accountId, 'kicked', now);
    }
    await createAuditRepository(tx).append({
      at: now,
      schoolId: removal.schoolId,
      chatId: removal.chatId,
      actorKind: 'roster',
      action: outcome === 'done' ? 'removed' : 'removal_failed',
      targetAccountId: removal.accountId,
      reason: removal.reason,
      details: {
        removalId: removal.id,
        rosterEventId: removal.rosterEventId,
        personId: removal.personId,
        ...(error ? { error: error.message } : {}),
      },
    });
    await summarise(core, tx, removal.batch, removal.chatId);
  };
  return new Map<string, OutcomeHandler>([
    [
      'roster.removal',
      {
        done: (tx, args) => record(tx, Number(args.removalId), 'done'),
        failed: (tx, args, error) => record(tx, Number(args.removalId), 'failed', error),
      },
    ],
  ]);
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

export function snapshotProblems(error: z.ZodError, input: unknown): string[] {
  return describeIssues(error, input);
}

/**
 * The difference between the school's roster and a full snapshot, as events: who is new, who moved
 * class, who departed, which guardianships appeared or went. Applying it twice changes nothing.
 */
export async function snapshotEvents(
  core: Core,
  school: number,
  snapshot: Snapshot,
  tag: string,
): Promise<RosterEvent[]> {
  const state = await createRosterRepository(core.db).loadSnapshot(school, core.deps.defaultLanguage);
  const events: RosterEvent[] = [];
  let n = 0;
  const id = () => {
    n += 1;
    return `${tag}:${n}`;
  };
  const current = (kind: PersonKind) => [...state.persons.values()].filter((person) => person.kind === kind);
  const active = (kind: PersonKind, externalId: string) => {
    const personId = state.byExternal.get(externalKey(kind, externalId));
    return personId === undefined ? undefined : state.persons.get(personId);
  };
  const studentExternal = new Map(
    [...state.persons.values()].filter((p) => p.kind === 'student').map((p) => [p.id, p.externalId]),
  );
  const enrolledNow = (studentId: string) => {
    if (snapshot.students) return snapshot.students.some((student) => student.id === studentId);
    return !!active('student', studentId)?.active;
  };
  if (snapshot.students) {
    const wanted = new Set(snapshot.students.map((student) => student.id));
    for (const student of snapshot.students) {
      const person = active('student', student.id);
      const classCode = student.classCode.toUpperCase();
      const named = student.name ? { name: student.name } : {};
      if (!person?.active) {
        events.push({ id: id(), type: 'student.enrolled', studentId: student.id, classCode, ...named });
      } else if ((person.classCode ?? '').toUpperCase() !== classCode) {
        events.push({ id: id(), type: 'student.transferred', studentId: student.id, classCode });
      } else if (student.name && student.name !== person.name) {
        events.push({ id: id(), type: 'student.enrolled', studentId: student.id, classCode, ...named });
      }
    }
    for (const person of current('student')) {
      if (person.active && !wanted.has(person.externalId)) {
        events.push({ id: id(), type: 'student.departed', studentId: person.externalId });
      }
    }
  }
  if (snapshot.guardians) {
    const seenGuardians = new Set<string>();
    for (const guardian of snapshot.guardians) {
      seenGuardians.add(guardian.id);
      const person = active('guardian', guardian.id);
      const has = new Set((person?.children ?? []).map((childId) => studentExternal.get(childId)));
      const renamed = !!guardian.name && !!person && guardian.name !== person.name;
      for (const studentId of guardian.studentIds) {
        if (!has.has(studentId) || renamed) {
          const named = guardian.name ? { name: guardian.name } : {};
          events.push({ id: id(), type: 'guardian.linked', guardianId: guardian.id, studentId, ...named });
        }
      }
      for (const childId of person?.children ?? []) {
        const studentId = studentExternal.get(childId);
        if (studentId && !guardian.studentIds.includes(studentId) && enrolledNow(studentId)) {
          events.push({ id: id(), type: 'guardian.unlinked', guardianId: guardian.id, studentId });
        }
      }
    }
    for (const person of current('guardian')) {
      if (seenGuardians.has(person.externalId)) continue;
      for (const childId of person.children ?? []) {
        const studentId = studentExternal.get(childId);
        if (studentId && enrolledNow(studentId)) {
          events.push({ id: id(), type: 'guardian.unlinked', guardianId: person.externalId, studentId });
        }
      }
    }
  }
  if (snapshot.staff) {
    const wantedStaff = new Set(snapshot.staff.map((member) => member.id));
    for (const member of snapshot.staff) {
      const person = active('staff', member.id);
      if (!person?.active || (member.name && member.name !== person.name)) {
        events.push({
          id: id(),
          type: 'staff.hired',
          staffId: member.id,
          ...(member.name ? { name: member.name } : {}),
        });
      }
    }
    for (const person of current('staff')) {
      if (person.active && !wantedStaff.has(person.externalId)) {
        events.push({ id: id(), type: 'staff.departed', staffId: person.externalId });
      }
    }
  }
  return events;
}

/** Whether the roster removed this account from this chat (its join requests are declined). */
export async function removedByRoster(tx: Tx, chatId: number, accountId: number): Promise<boolean> {
  return createRosterRepository(tx).removedFrom(chatId, accountId);
}
