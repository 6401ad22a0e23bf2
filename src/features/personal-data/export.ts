import type { Executor } from '../../db/client.js';
import {
  ACCOUNT_KEYED,
  createPersonalDataRepository,
  PERSON_KEYED,
  type RawRow,
} from '../../db/repos/personal-data.js';
import type { PersonRow } from '../../db/repos/roster.js';
import { INVENTORY } from './inventory.js';
import type { Subject } from './subject.js';

/** One JSON document with everything stored about a person and their accounts (152-ФЗ art. 14). */
export interface PersonalDataExport {
  format: 'class-chat-moderator/personal-data/1';
  generatedAt: string;
  school: { id: number; name: string } | null;
  subject: { kind: string; id: string } | null;
  /** Table by table, the person's rows with the columns the inventory marks for export. */
  records: Record<string, Array<Record<string, unknown>>>;
  /** Chats the records refer to, by id. */
  chats: Record<string, string>;
}

function plain(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Only the columns the inventory marks as exported; every row keeps the same order of keys. */
function exported(table: string, row: RawRow): Record<string, unknown> {
  const columns = INVENTORY[table]?.columns ?? {};
  const out: Record<string, unknown> = {};
  for (const [column, c] of Object.entries(columns))
    if (c.export && column in row) out[column] = plain(row[column]);
  return out;
}

/** Builds the export of roster persons and accounts (either may be empty). */
export async function exportData(
  ex: Executor,
  input: {
    now: Date;
    school: { id: number; name: string } | null;
    subject: { kind: string; id: string } | null;
    persons: PersonRow[];
    accountIds: number[];
  },
): Promise<PersonalDataExport> {
  const repo = createPersonalDataRepository(ex);
  const records: PersonalDataExport['records'] = {};
  const personIds = input.persons.map((person) => person.id);
  const chatIds = new Set<number>();
  const collect = async (table: string, keys: string[], ids: number[]) => {
    const rows = await repo.rowsOf(table, keys, ids);
    for (const row of rows) if (typeof row.chat_id === 'number') chatIds.add(row.chat_id);
    if (rows.length > 0) records[table] = rows.map((row) => exported(table, row));
  };
  for (const [table, keys] of Object.entries(PERSON_KEYED)) await collect(table, keys, personIds);
  // Guardianships name the other side by the school's id, not by our internal one.
  const links = await repo.rowsOf('guardianships', ['guardian_id', 'student_id'], personIds);
  if (links.length > 0) {
    const related = await repo.rowsOf(
      'persons',
      ['id'],
      links.flatMap((link) => [Number(link.guardian_id), Number(link.student_id)]),
    );
    const external = new Map(related.map((row) => [Number(row.id), `${row.kind}:${row.external_id}`]));
    records.guardianships = links.map((link) => ({
      guardian: external.get(Number(link.guardian_id)),
      student: external.get(Number(link.student_id)),
    }));
  }
  for (const [table, keys] of Object.entries(ACCOUNT_KEYED)) await collect(table, keys, input.accountIds);
  if (input.school) {
    const events = [];
    for (const person of input.persons)
      events.push(...(await repo.rosterEventsAbout(input.school.id, person.externalId)));
    if (events.length > 0) records.roster_events = events.map((row) => exported('roster_events', row));
  }
  const titles = await repo.chatTitles([...chatIds]);
  return {
    format: 'class-chat-moderator/personal-data/1',
    generatedAt: input.now.toISOString(),
    school: input.school,
    subject: input.subject,
    records,
    chats: Object.fromEntries([...titles].map(([id, title]) => [String(id), title])),
  };
}

/** The export for a request of the school (API, CLI). */
export async function exportSubject(ex: Executor, subject: Subject, now: Date): Promise<PersonalDataExport> {
  const school = await createPersonalDataRepository(ex).school(subject.schoolId);
  return exportData(ex, {
    now,
    school: school ? { id: school.id, name: school.name } : null,
    subject: { kind: subject.ref.kind, id: subject.ref.id },
    persons: subject.person ? [subject.person] : [],
    accountIds: subject.accountIds,
  });
}
