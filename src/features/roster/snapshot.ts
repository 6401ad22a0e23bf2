import { createRosterRepository, externalKey, type PersonKind } from '../../db/repos/roster.js';
import type { Services } from '../../runtime/services.js';
import type { RosterEvent, Snapshot } from './schemas.js';

/**
 * The difference between the school's roster and a full snapshot, as events: who is new, who moved
 * class, who departed, which guardianships appeared or went. Applying it twice changes nothing.
 */
export async function snapshotEvents(
  services: Services,
  school: number,
  snapshot: Snapshot,
  tag: string,
): Promise<RosterEvent[]> {
  const state = await createRosterRepository(services.db).loadSnapshot(school, services.deps.defaultLanguage);
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
