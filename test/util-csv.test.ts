import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/lib/csv.js';

describe('parseCsv', () => {
  it.each([
    [
      'id,classCode,name\nS1,7Б,Иван Петров\n',
      ',',
      [
        ['id', 'classCode', 'name'],
        ['S1', '7Б', 'Иван Петров'],
      ],
    ],
    [
      '\uFEFFid;classCode;name\r\nS1;7Б;"Петров; Иван"\r\n',
      ';',
      [
        ['id', 'classCode', 'name'],
        ['S1', '7Б', 'Петров; Иван'],
      ],
    ],
    [
      'id,name\n"G1","Анна ""Мама"" Петрова"\n\n\n',
      ',',
      [
        ['id', 'name'],
        ['G1', 'Анна "Мама" Петрова'],
      ],
    ],
    [
      'id,studentIds\nG1,"S1,S2"',
      ',',
      [
        ['id', 'studentIds'],
        ['G1', 'S1,S2'],
      ],
    ],
  ])('%j', (text, separator, fields) => {
    const parsed = parseCsv(text);
    expect(parsed.separator).toBe(separator);
    expect(parsed.rows.map((row) => row.fields)).toEqual(fields);
  });

  it('numbers rows by the line they start on, across blank lines and quoted line breaks', () => {
    const parsed = parseCsv('id,name\nS1,"Иван\nПетров"\n\nS2,Мария\n');
    expect(parsed.rows.map((row) => row.line)).toEqual([1, 2, 5]);
  });
});
