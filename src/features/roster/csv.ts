import { CsvError, parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { SNAPSHOT_ROWS, type Snapshot } from './schemas.js';

/**
 * The roster from the secretary's CSV files (students, guardians, staff), checked row by row with the
 * same rules as the API; every problem names the file and line. A file left out leaves that part of
 * the roster as it is.
 */

export interface CsvFile {
  name: string;
  text: string;
}

const COLUMNS = {
  students: { required: ['id', 'classcode'], optional: ['name'] },
  guardians: { required: ['id', 'studentids'], optional: ['name'] },
  staff: { required: ['id'], optional: ['name'] },
} as const;

type Category = keyof typeof COLUMNS;

/** csv-parse's codes in the words the rest of the report uses. */
const CSV_ERRORS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (a " is missing)',
  CSV_INVALID_CLOSING_QUOTE: 'a " inside a quoted field must be doubled ("")',
};

interface CsvRow {
  /** 1-based line where the row starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

/**
 * Rows of a file with their starting lines: a byte order mark, CRLF, quoted fields and `;` as the
 * separator when the header uses it (as spreadsheet programs in Russia do).
 */
function parseRows(file: CsvFile, errors: string[]): CsvRow[] {
  const text = file.text.replace(/^\uFEFF/, '');
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = header.includes(';') && !header.includes(',') ? ';' : ',';
  try {
    // The typings do not model `info: true`, which wraps each record with where it was read.
    const records = parse(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    // csv-parse counts lines up to the end of a record; a quoted line break moves its start back.
    return records.map(({ record, info }) => ({
      line: info.lines - record.reduce((breaks, field) => breaks + field.split('\n').length - 1, 0),
      fields: record,
    }));
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    const why = CSV_ERRORS[error.code] ?? error.message;
    errors.push(`${file.name}${line ? `:${line}` : ''}: ${why}`);
    return [];
  }
}

function readFile(
  file: CsvFile,
  category: Category,
  errors: string[],
): Array<{ line: number; record: Record<string, string> }> {
  const rows = parseRows(file, errors);
  const [header, ...body] = rows;
  if (!header) {
    if (!errors.some((error) => error.startsWith(`${file.name}:`)))
      errors.push(`${file.name}: the file is empty`);
    return [];
  }
  const columns = header.fields.map((field) => field.trim().toLowerCase().replace(/[\s_]/g, ''));
  const missing = COLUMNS[category].required.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    errors.push(
      `${file.name}:${header.line}: the header lacks ${missing.join(', ')} (expected ${[...COLUMNS[category].required, ...COLUMNS[category].optional].join(', ')})`,
    );
    return [];
  }
  const records: Array<{ line: number; record: Record<string, string> }> = [];
  for (const row of body) {
    // More fields than the header names is a shifted row (a comma in a name without quotes): an error.
    if (row.fields.length > columns.length) {
      errors.push(
        `${file.name}:${row.line}: ${row.fields.length} fields, the header names ${columns.length}`,
      );
      continue;
    }
    records.push({
      line: row.line,
      record: Object.fromEntries(columns.map((column, index) => [column, (row.fields[index] ?? '').trim()])),
    });
  }
  return records;
}

function problems(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      return `${field} ${missing ? 'is missing' : issue.message}`;
    })
    .join('; ');
}

export function readRosterCsv(
  files: Partial<Record<Category, CsvFile>>,
): { ok: true; snapshot: Snapshot } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const snapshot: Snapshot = {};
  const seen = new Map<string, string>();
  if (files.students) {
    snapshot.students = [];
    for (const { line, record } of readFile(files.students, 'students', errors)) {
      const parsed = SNAPSHOT_ROWS.student.safeParse({
        id: record.id,
        classCode: record.classcode || undefined,
        ...(record.name ? { name: record.name } : {}),
      });
      if (!parsed.success) errors.push(`${files.students.name}:${line}: ${problems(parsed.error)}`);
      else if (seen.has(parsed.data.id))
        errors.push(
          `${files.students.name}:${line}: id ${parsed.data.id} also on ${seen.get(parsed.data.id)}`,
        );
      else {
        seen.set(parsed.data.id, `line ${line}`);
        snapshot.students.push(parsed.data);
      }
    }
  }
  if (files.guardians) {
    snapshot.guardians = [];
    for (const { line, record } of readFile(files.guardians, 'guardians', errors)) {
      const studentIds = (record.studentids ?? '').split(/[\s,;|]+/).filter(Boolean);
      const parsed = SNAPSHOT_ROWS.guardian.safeParse({
        id: record.id,
        studentIds,
        ...(record.name ? { name: record.name } : {}),
      });
      if (!parsed.success) {
        errors.push(`${files.guardians.name}:${line}: ${problems(parsed.error)}`);
        continue;
      }
      const unknown = snapshot.students ? parsed.data.studentIds.filter((id) => !seen.has(id)) : [];
      if (unknown.length > 0) {
        errors.push(
          `${files.guardians.name}:${line}: studentIds ${unknown.join(', ')} not in ${files.students?.name ?? 'students'}`,
        );
        continue;
      }
      snapshot.guardians.push(parsed.data);
    }
  }
  if (files.staff) {
    snapshot.staff = [];
    for (const { line, record } of readFile(files.staff, 'staff', errors)) {
      const parsed = SNAPSHOT_ROWS.staff.safeParse({
        id: record.id,
        ...(record.name ? { name: record.name } : {}),
      });
      if (!parsed.success) errors.push(`${files.staff.name}:${line}: ${problems(parsed.error)}`);
      else snapshot.staff.push(parsed.data);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, snapshot };
}
