import type { User } from 'telegraf/types';
import { createAccountsRepository } from '../../src/db/repos/accounts.js';
import { createRosterRepository, type PersonKind } from '../../src/db/repos/roster.js';
import type { Harness } from './harness.js';

/** Calls the bot's roster API over real HTTP. */
export async function api(
  h: Harness,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  options: { token?: string; body?: unknown; raw?: string; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.raw !== undefined)
    headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`http://127.0.0.1:${h.bot.httpPort}${path}`, {
    method,
    headers,
    ...(options.raw !== undefined
      ? { body: options.raw }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body };
}

/**
 * Attaches a chat to a school as in life: its teacher asks with `/settings school <code>` and the school
 * confirms the request.
 */
export async function attachToSchool(h: Harness, chatId: number, teacher: User, schoolId = 1): Promise<void> {
  const roster = createRosterRepository(h.db.database.db);
  const code = await roster.ensureSchoolCode(schoolId);
  h.api.sendMessage(chatId, teacher, `/settings school ${code}`);
  await h.settle();
  const token = await schoolToken(h, schoolId);
  const listed = await api(h, 'GET', '/api/v1/attachments', { token });
  const [request] = listed.body.attachments as Array<{ id: number }>;
  if (!request) throw new Error(`chat ${chatId} did not ask to join school ${schoolId}`);
  const confirmed = await api(h, 'POST', `/api/v1/attachments/${request.id}/confirm`, { token });
  if (confirmed.body.result !== 'confirmed')
    throw new Error(`attaching chat ${chatId}: ${JSON.stringify(confirmed.body)}`);
  await h.settle();
}

export async function schoolToken(h: Harness, schoolId = 1): Promise<string> {
  return createRosterRepository(h.db.database.db).createToken(schoolId, 'test', h.clock.now());
}

/** Links a user's account to a roster person, as an invitation or `/link` would. */
export async function linkPerson(
  h: Harness,
  schoolId: number,
  user: User,
  kind: PersonKind,
  externalId: string,
) {
  const db = h.db.database.db;
  const [person] = await createRosterRepository(db).findPersons(schoolId, externalId, kind);
  const account = await createAccountsRepository(db).find('telegram', String(user.id));
  if (!person || !account) throw new Error(`no ${kind} ${externalId} or no account for ${user.first_name}`);
  await createRosterRepository(db).linkAccount(person.id, account.id, 'moderator', h.clock.now());
}

export interface School {
  token: string;
  teacher: User;
  chats: { classChat: number; parents7: number; parents8: number; staffRoom: number };
  people: { ivan: User; anna: User; boris: User; vera: User; oleg: User };
}

/**
 * A school with 7Б (a class chat and a parents chat), an 8А parents chat and a staff room; Ivan (S1, 7Б)
 * has guardians Anna (only Ivan), Boris (also S2 in 7Б) and Vera (also S3 in 8А); Oleg (T1) teaches.
 */
export async function school(h: Harness): Promise<School> {
  const teacher = h.api.createUser({ first_name: 'Мария', last_name: 'Ивановна' });
  const make = (first: string, last: string) => h.api.createUser({ first_name: first, last_name: last });
  const people = {
    ivan: make('Иван', 'Петров'),
    anna: make('Анна', 'Петрова'),
    boris: make('Борис', 'Смирнов'),
    vera: make('Вера', 'Козлова'),
    oleg: make('Олег', 'Сидоров'),
  };
  const chat = async (title: string, settings: Record<string, string>, members: User[]) => {
    const created = h.api.createChat({ type: 'supergroup', title });
    h.api.addMember(created.id, teacher, { status: 'creator' });
    h.api.addBot(created.id, {
      by: teacher,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    for (const [key, value] of Object.entries({ rules_gate: 'off', ...settings })) {
      h.api.sendMessage(created.id, teacher, `/settings ${key} ${value}`);
    }
    await h.settle();
    await attachToSchool(h, created.id, teacher);
    for (const member of members) h.api.addMember(created.id, member, { by: teacher });
    await h.settle();
    return created.id as number;
  };
  const chats = {
    classChat: await chat('7Б', { class: '7Б', kind: 'class' }, [people.ivan, people.anna, people.oleg]),
    parents7: await chat('7Б — родители', { class: '7Б', kind: 'parents' }, [
      people.anna,
      people.boris,
      people.vera,
    ]),
    parents8: await chat('8А — родители', { class: '8А', kind: 'parents' }, [people.vera]),
    staffRoom: await chat('Учительская', { kind: 'staff' }, [people.oleg]),
  };
  const token = await schoolToken(h);
  const events = [
    { id: 'e1', type: 'student.enrolled', studentId: 'S1', classCode: '7Б', name: 'Иван Петров' },
    { id: 'e2', type: 'student.enrolled', studentId: 'S2', classCode: '7Б' },
    { id: 'e3', type: 'student.enrolled', studentId: 'S3', classCode: '8А' },
    { id: 'e4', type: 'guardian.linked', guardianId: 'G1', studentId: 'S1', name: 'Анна Петрова' },
    { id: 'e5', type: 'guardian.linked', guardianId: 'G2', studentId: 'S1' },
    { id: 'e6', type: 'guardian.linked', guardianId: 'G2', studentId: 'S2' },
    { id: 'e7', type: 'guardian.linked', guardianId: 'G3', studentId: 'S1' },
    { id: 'e8', type: 'guardian.linked', guardianId: 'G3', studentId: 'S3' },
    { id: 'e9', type: 'staff.hired', staffId: 'T1', name: 'Олег Сидоров' },
  ];
  const pushed = await api(h, 'POST', '/api/v1/roster/events', { token, body: { events } });
  if (pushed.status !== 200) throw new Error(`roster push failed: ${JSON.stringify(pushed.body)}`);
  await linkPerson(h, 1, people.ivan, 'student', 'S1');
  await linkPerson(h, 1, people.anna, 'guardian', 'G1');
  await linkPerson(h, 1, people.boris, 'guardian', 'G2');
  await linkPerson(h, 1, people.vera, 'guardian', 'G3');
  await linkPerson(h, 1, people.oleg, 'staff', 'T1');
  return { token, teacher, chats, people };
}
