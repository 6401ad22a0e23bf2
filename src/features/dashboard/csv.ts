/**
 * CSV for spreadsheets (RFC 4180), safe against formula injection: a cell that starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return would be run as a formula by Excel or LibreOffice, so it gets a leading
 * apostrophe (OWASP's advice), and every cell is quoted.
 */
export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
