import type { LoadedPerson, RosterSnapshot } from '../../db/repos/roster.js';
import {
  createRosterRepository,
  externalKey,
  type PersonKind,
  type RosterSource,
} from '../../db/repos/roster.js';
import { type RosterChange, removalsFor } from '../../moderation/departures.js';
import type { Services, Work } from '../../runtime/services.js';
import { restoreHashedRosterIds } from '../personal-data/reenrolment.js';
import { type Decided, liftRemovals, type NeedsAttention, scheduleRemovals } from './removals.js';
import type { RosterEvent } from './schemas.js';

export interface ApplyResult {
  applied: number;
  duplicates: string[];
  removals: number;
  reinstated: number;
  /** People who must leave a chat but are its administrators: the bot cannot remove them. */
  needsAttention: NeedsAttention[];
}

/** Applies roster events to the school's roster in memory and in the database, deciding removals. */
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
      status: 'active' as const,
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

/**
 * Applies a validated batch in one transaction: events already seen are reported as duplicates and
 * applied once; every removal becomes a durable ban in the outbox, summarised per chat.
 */
export async function applyRosterEvents(
  services: Services,
  school: number,
  events: readonly RosterEvent[],
  source: RosterSource,
): Promise<ApplyResult> {
  return services.transact(async (work) => {
    const repo = createRosterRepository(work.tx);
    await repo.lockSchool(school);
    await restoreHashedRosterIds(work.tx, services.personalData.key, school, events);
    const state = await repo.loadSnapshot(school, services.deps.defaultLanguage);
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
    const { scheduled: removals, needsAttention } = await scheduleRemovals(
      services,
      work,
      school,
      applier.removals,
    );
    // Hired or departed employees change who moderates the school's chats (4.13.2).
    work.afterCommit(() => services.moderatorRules.clear());
    const reinstated = await liftRemovals(services, work, applier.lifts);
    return { applied, duplicates, removals, reinstated, needsAttention };
  });
}
