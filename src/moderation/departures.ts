/**
 * Departures (regulation 4.13.8): when an employee leaves or a student departs, the employee, or the
 * student and their parents, are removed from the school's chats. Pure: who leaves which chat, from
 * the roster as it stands after the change, the school's chats and who is in them.
 */

export type ChatKind = 'class' | 'parents' | 'staff';

export interface RosterChat {
  chatId: number;
  /** The class the chat serves (`/settings class`), if any. */
  classCode: string | null;
  kind: ChatKind;
}

export interface RosterPerson {
  id: number;
  kind: 'student' | 'guardian' | 'staff';
  active: boolean;
  /** Students: their class. */
  classCode?: string | null;
  /** Guardians: their children's person ids. */
  children?: readonly number[];
}

/** An account the bot knows to be in a chat, and the roster persons it is linked to. */
export interface Presence {
  chatId: number;
  accountId: number;
  personIds: readonly number[];
}

export type RemovalReason =
  | 'student_departed'
  | 'guardian_of_departed'
  | 'staff_departed'
  | 'transfer'
  | 'guardian_unlinked';

export interface Removal {
  chatId: number;
  accountId: number;
  personId: number;
  reason: RemovalReason;
  /** For a guardian: the child whose departure or transfer caused it. */
  causeStudentId?: number;
}

export type RosterChange =
  | { type: 'student_departed'; studentId: number; classCode: string | null; guardianIds: readonly number[] }
  | {
      type: 'student_transferred';
      studentId: number;
      fromClass: string | null;
      guardianIds: readonly number[];
    }
  | { type: 'guardian_unlinked'; guardianId: number; studentId: number; classCode: string | null }
  | { type: 'staff_departed'; staffId: number };

export interface RosterState {
  persons: ReadonlyMap<number, RosterPerson>;
  chats: readonly RosterChat[];
  presence: readonly Presence[];
}

function sameClass(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toUpperCase() === b.toUpperCase();
}

/** Whether a chat serves an active person: students and guardians by class, employees by staff chats. */
export function servesPerson(
  chat: RosterChat,
  person: RosterPerson,
  persons: ReadonlyMap<number, RosterPerson>,
): boolean {
  if (!person.active) return false;
  if (person.kind === 'staff') return chat.kind === 'staff';
  if (person.kind === 'student') return chat.kind === 'class' && sameClass(chat.classCode, person.classCode);
  return (person.children ?? []).some((childId) => {
    const child = persons.get(childId);
    return (
      !!child?.active &&
      child.kind === 'student' &&
      chat.kind !== 'staff' &&
      sameClass(chat.classCode, child.classCode)
    );
  });
}

/**
 * Someone stays in a chat while any active person linked to their account is served by it; an active
 * employee stays in any chat (teachers work in class and parents chats too).
 */
function stays(presence: Presence, chat: RosterChat, state: RosterState): boolean {
  return presence.personIds.some((personId) => {
    const person = state.persons.get(personId);
    if (!person?.active) return false;
    return person.kind === 'staff' || servesPerson(chat, person, state.persons);
  });
}

/** The accounts linked to `personId` that are in one of `chats` and no longer belong there. */
function leaving(
  state: RosterState,
  personId: number,
  chats: readonly RosterChat[],
): Array<[Presence, RosterChat]> {
  const byId = new Map(chats.map((chat) => [chat.chatId, chat]));
  const found: Array<[Presence, RosterChat]> = [];
  for (const presence of state.presence) {
    const chat = byId.get(presence.chatId);
    if (chat && presence.personIds.includes(personId) && !stays(presence, chat, state))
      found.push([presence, chat]);
  }
  return found;
}

function classChats(state: RosterState, classCode: string | null): RosterChat[] {
  return state.chats.filter((chat) => chat.kind !== 'staff' && sameClass(chat.classCode, classCode));
}

function removalsOf(
  pairs: Array<[Presence, RosterChat]>,
  personId: number,
  reason: RemovalReason,
  causeStudentId?: number,
): Removal[] {
  return pairs.map(([presence, chat]) => ({
    chatId: chat.chatId,
    accountId: presence.accountId,
    personId,
    reason,
    ...(causeStudentId === undefined ? {} : { causeStudentId }),
  }));
}

/**
 * Who leaves which chat after one roster change; `state` is the roster after the change (a departed
 * student inactive, a transferred one in the new class, an unlinked guardian without that child).
 *
 * - a departed student's accounts leave every chat of the school;
 * - their guardians leave the chats of the student's class, unless another enrolled child of theirs is
 *   served by that chat;
 * - a transfer moves the family out of the old class's chats by the same rule;
 * - a departed employee leaves every chat of the school.
 *
 * Nobody leaves a chat that another active role of theirs keeps them in (a guardian who is also staff).
 */
export function removalsFor(change: RosterChange, state: RosterState): Removal[] {
  switch (change.type) {
    case 'student_departed':
      return dedupe([
        ...removalsOf(leaving(state, change.studentId, state.chats), change.studentId, 'student_departed'),
        ...change.guardianIds.flatMap((guardianId) =>
          removalsOf(
            leaving(state, guardianId, classChats(state, change.classCode)),
            guardianId,
            'guardian_of_departed',
            change.studentId,
          ),
        ),
      ]);
    case 'student_transferred': {
      const old = classChats(state, change.fromClass);
      return dedupe([
        ...removalsOf(leaving(state, change.studentId, old), change.studentId, 'transfer'),
        ...change.guardianIds.flatMap((guardianId) =>
          removalsOf(leaving(state, guardianId, old), guardianId, 'transfer', change.studentId),
        ),
      ]);
    }
    case 'guardian_unlinked':
      return dedupe(
        removalsOf(
          leaving(state, change.guardianId, classChats(state, change.classCode)),
          change.guardianId,
          'guardian_unlinked',
          change.studentId,
        ),
      );
    case 'staff_departed':
      return dedupe(
        removalsOf(leaving(state, change.staffId, state.chats), change.staffId, 'staff_departed'),
      );
  }
}

function dedupe(removals: Removal[]): Removal[] {
  const seen = new Set<string>();
  return removals.filter((removal) => {
    const key = `${removal.chatId}:${removal.accountId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
