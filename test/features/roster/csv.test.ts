import { describe, expect, it } from 'vitest';
import { readRosterCsv } from '../../../src/features/roster/csv.js';

describe('4.13.8 roster departures: the roster read from CSV files', () => {
  it('reads students, guardians and staff, with ; or , and optional names', () => {
    const result = readRosterCsv({
      students: { name: 'students.csv', text: 'id;classCode;name\nS1;7б;Иван Петров\nS2;8А;\n' },
      guardians: { name: 'guardians.csv', text: 'id,studentIds,name\nG1,"S1,S2",Анна Петрова\nG2,S2,\n' },
      staff: { name: 'staff.csv', text: 'id,name\nT1,Олег Сидоров\n' },
    });
    expect(result).toEqual({
      ok: true,
      snapshot: {
        students: [
          { id: 'S1', classCode: '7Б', name: 'Иван Петров' },
          { id: 'S2', classCode: '8А' },
        ],
        guardians: [
          { id: 'G1', studentIds: ['S1', 'S2'], name: 'Анна Петрова' },
          { id: 'G2', studentIds: ['S2'] },
        ],
        staff: [{ id: 'T1', name: 'Олег Сидоров' }],
      },
    });
  });

  it('names the file and line of every problem and imports nothing', () => {
    const result = readRosterCsv({
      students: { name: 'students.csv', text: 'id,classCode\nS1,7Б\nS2,\nS1,8А\nS3,седьмой класс\n' },
      guardians: { name: 'guardians.csv', text: 'id,studentIds\nG1,S9\nG2,\n' },
      staff: { name: 'staff.csv', text: 'name\nОлег\n' },
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'students.csv:3: classCode is missing',
        'students.csv:4: id S1 also on line 2',
        'students.csv:5: classCode must be a class code such as 7Б',
        'guardians.csv:2: studentIds S9 not in students.csv',
        'guardians.csv:3: studentIds must list at least one student',
        'staff.csv:1: the header lacks id (expected id, name)',
      ],
    });
  });

  it('leaves out a category whose file is not given', () => {
    const result = readRosterCsv({ staff: { name: 'staff.csv', text: 'id\nT1\n' } });
    expect(result).toEqual({ ok: true, snapshot: { staff: [{ id: 'T1' }] } });
  });

  it('reads quoted fields, doubled quotes, CRLF and a byte order mark', () => {
    const result = readRosterCsv({
      students: { name: 'students.csv', text: '\uFEFFid;classCode;name\r\nS1;7Б;"Петров; ""Ваня"""\r\n' },
    });
    expect(result).toEqual({
      ok: true,
      snapshot: { students: [{ id: 'S1', classCode: '7Б', name: 'Петров; "Ваня"' }] },
    });
  });

  it('names the line a row starts on, across blank lines and quoted line breaks', () => {
    const result = readRosterCsv({
      students: { name: 'students.csv', text: 'id,classCode,name\nS1,7Б,"Иван\nПетров"\n\nS2,,Мария\n' },
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'students.csv:2: name must not hold control characters or broken Unicode',
        'students.csv:5: classCode is missing',
      ],
    });
  });

  it('reports a quote left open with the file and line', () => {
    const result = readRosterCsv({ staff: { name: 'staff.csv', text: 'id,name\nT1,"Олег\n' } });
    expect(result).toEqual({
      ok: false,
      errors: ['staff.csv:2: a quoted field is never closed (a " is missing)'],
    });
  });

  it('refuses a row with more fields than the header (a name with an unquoted comma)', () => {
    const result = readRosterCsv({
      students: { name: 'students.csv', text: 'id,classCode,name\nS1,7Б,Петров, Иван\n' },
    });
    expect(result).toEqual({ ok: false, errors: ['students.csv:2: 4 fields, the header names 3'] });
  });
});
