import { describe, expect, it } from 'vitest';
import {
  type Presence,
  type RosterChat,
  type RosterPerson,
  type RosterState,
  removalsFor,
  servesPerson,
} from '../../src/moderation/departures.js';

// Chats of one school: 7Б (class and parents chats), 8А (parents chat), the staff room, a school-wide chat.
const CHATS: RosterChat[] = [
  { chatId: 71, classCode: '7Б', kind: 'class' },
  { chatId: 72, classCode: '7Б', kind: 'parents' },
  { chatId: 81, classCode: '8А', kind: 'parents' },
  { chatId: 90, classCode: null, kind: 'staff' },
  { chatId: 99, classCode: null, kind: 'class' },
];

const student = (id: number, classCode: string, active = true): RosterPerson => ({
  id,
  kind: 'student',
  classCode,
  active,
});
const guardian = (id: number, children: number[], active = true): RosterPerson => ({
  id,
  kind: 'guardian',
  children,
  active,
});
const staff = (id: number, active = true): RosterPerson => ({ id, kind: 'staff', active });

function state(persons: RosterPerson[], presence: Presence[]): RosterState {
  return { persons: new Map(persons.map((p) => [p.id, p])), chats: CHATS, presence };
}

const at = (accountId: number, personIds: number[], ...chatIds: number[]): Presence[] =>
  chatIds.map((chatId) => ({ chatId, accountId, personIds }));

const pairs = (removals: ReturnType<typeof removalsFor>) =>
  removals.map((r) => `${r.chatId}:${r.accountId}:${r.reason}`).sort();

describe('4.13.8 roster departures: who leaves which chat', () => {
  it('a departed student leaves every chat they are in; their guardian leaves the chats of their class', () => {
    const s = state(
      [student(1, '7Б', false), guardian(10, [1])],
      [...at(501, [1], 71, 99), ...at(510, [10], 71, 72, 81)],
    );
    const removals = removalsFor(
      { type: 'student_departed', studentId: 1, classCode: '7Б', guardianIds: [10] },
      s,
    );
    expect(pairs(removals)).toEqual([
      '71:501:student_departed',
      '71:510:guardian_of_departed',
      '72:510:guardian_of_departed',
      '99:501:student_departed',
    ]);
    expect(removals.find((r) => r.accountId === 510)?.causeStudentId).toBe(1);
  });

  it('a guardian with two children in one class stays when one of them departs', () => {
    const s = state([student(1, '7Б', false), student(2, '7Б'), guardian(10, [1, 2])], at(510, [10], 71, 72));
    expect(
      removalsFor({ type: 'student_departed', studentId: 1, classCode: '7Б', guardianIds: [10] }, s),
    ).toEqual([]);
  });

  it('a guardian with children in two classes leaves only the departed child’s class chats', () => {
    const s = state(
      [student(1, '7Б', false), student(2, '8А'), guardian(10, [1, 2])],
      at(510, [10], 71, 72, 81),
    );
    const removals = removalsFor(
      { type: 'student_departed', studentId: 1, classCode: '7Б', guardianIds: [10] },
      s,
    );
    expect(pairs(removals)).toEqual(['71:510:guardian_of_departed', '72:510:guardian_of_departed']);
  });

  it('a guardian who is also staff stays in the class chats when their child departs', () => {
    const s = state([student(1, '7Б', false), guardian(10, [1]), staff(20)], at(510, [10, 20], 71, 72, 90));
    expect(
      removalsFor({ type: 'student_departed', studentId: 1, classCode: '7Б', guardianIds: [10] }, s),
    ).toEqual([]);
  });

  it('a departed employee leaves every chat, but stays in their own child’s class chats as a parent', () => {
    const s = state(
      [staff(20, false), staff(21, false), student(2, '8А'), guardian(11, [2])],
      [...at(520, [20], 71, 72, 90), ...at(521, [21, 11], 72, 81, 90)],
    );
    expect(pairs(removalsFor({ type: 'staff_departed', staffId: 20 }, s))).toEqual([
      '71:520:staff_departed',
      '72:520:staff_departed',
      '90:520:staff_departed',
    ]);
    expect(pairs(removalsFor({ type: 'staff_departed', staffId: 21 }, s))).toEqual([
      '72:521:staff_departed',
      '90:521:staff_departed',
    ]);
  });

  it('a transfer moves the student and their family out of the old class’s chats only', () => {
    const s = state(
      [student(1, '8А'), guardian(10, [1])],
      [...at(501, [1], 71), ...at(510, [10], 71, 72, 81)],
    );
    const removals = removalsFor(
      { type: 'student_transferred', studentId: 1, fromClass: '7Б', guardianIds: [10] },
      s,
    );
    expect(pairs(removals)).toEqual(['71:501:transfer', '71:510:transfer', '72:510:transfer']);
  });

  it('a transfer leaves a guardian whose other child is still in the old class', () => {
    const s = state([student(1, '8А'), student(2, '7Б'), guardian(10, [1, 2])], at(510, [10], 72));
    expect(
      removalsFor({ type: 'student_transferred', studentId: 1, fromClass: '7Б', guardianIds: [10] }, s),
    ).toEqual([]);
  });

  it('an unlinked guardian leaves that child’s class chats', () => {
    const s = state([student(1, '7Б'), guardian(10, [])], at(510, [10], 72, 81));
    expect(
      pairs(removalsFor({ type: 'guardian_unlinked', guardianId: 10, studentId: 1, classCode: '7Б' }, s)),
    ).toEqual(['72:510:guardian_unlinked']);
  });

  it('nobody is removed from a chat the bot never saw them in, and class codes match regardless of case', () => {
    const s = state([student(1, '7б', false), guardian(10, [1])], at(510, [10], 81));
    expect(
      removalsFor({ type: 'student_departed', studentId: 1, classCode: '7б', guardianIds: [10] }, s),
    ).toEqual([]);
    expect(servesPerson(CHATS[0] as RosterChat, student(3, '7б'), new Map())).toBe(true);
  });

  it('an account linked to two guardians (a couple sharing a phone) stays while either has a child there', () => {
    const s = state(
      [student(1, '7Б', false), student(2, '7Б'), guardian(10, [1]), guardian(11, [2])],
      at(510, [10, 11], 72),
    );
    expect(
      removalsFor({ type: 'student_departed', studentId: 1, classCode: '7Б', guardianIds: [10] }, s),
    ).toEqual([]);
  });
});
