import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/features/dashboard/index.js';

describe('the audit CSV', () => {
  it.each([
    ['=SUM(A1:A9)', `"'=SUM(A1:A9)"`],
    ['+7 999', `"'+7 999"`],
    ['-1', `"'-1"`],
    ['@cmd', `"'@cmd"`],
    ['\tTAB', `"'\tTAB"`],
    ['\rCR', `"'\rCR"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
  ])('defuses a cell a spreadsheet would run as a formula: %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('quotes every cell, doubles quotes, keeps commas and line breaks inside, leaves ordinary text alone', () => {
    expect(csvCell('Иван, 7Б')).toBe('"Иван, 7Б"');
    expect(csvCell('a "b"\nc')).toBe('"a ""b""\nc"');
    expect(csvCell('3 = 3')).toBe('"3 = 3"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(12)).toBe('"12"');
    expect(csvCell(new Date('2026-11-30T07:00:00Z'))).toBe('"2026-11-30T07:00:00.000Z"');
    expect(csvLine(['a', '=b', 1])).toBe(`"a","'=b","1"\r\n`);
  });
});
