import { readFileSync } from 'node:fs';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as schema from '../../../src/db/schema.js';
import { INVENTORY } from '../../../src/features/personal-data/inventory.js';

/** Every table drizzle knows, with its columns, read from the table objects themselves. */
const tables = Object.values(schema)
  .filter((value) => is(value, PgTable))
  .map((value) => value as unknown as PgTable)
  .map((table) => {
    const config = getTableConfig(table);
    return { name: config.name, columns: config.columns.map((column) => column.name) };
  });

describe('the inventory of personal data (152-ФЗ)', () => {
  it('knows the schema has tables', () => {
    expect(tables.length).toBeGreaterThan(20);
  });

  it.each(tables)('classifies every column of $name', ({ name, columns }) => {
    const entry = INVENTORY[name];
    expect(entry, `table ${name} is missing from src/features/personal-data/inventory.ts`).toBeDefined();
    const unclassified = columns.filter((column) => !entry?.columns[column]);
    expect(unclassified, `unclassified columns of ${name}`).toEqual([]);
    const stale = Object.keys(entry?.columns ?? {}).filter((column) => !columns.includes(column));
    expect(stale, `classified columns ${name} no longer has`).toEqual([]);
  });

  it('classifies no table the schema does not have', () => {
    expect(Object.keys(INVENTORY).sort()).toEqual(tables.map((table) => table.name).sort());
  });

  it('treats every JSON and free-text column as something erasure or retention must look at', () => {
    for (const [table, entry] of Object.entries(INVENTORY)) {
      for (const [column, c] of Object.entries(entry.columns)) {
        if (c.data === 'name' || c.data === 'free_text')
          expect(c.erase, `${table}.${column}`).not.toBe('keep');
      }
    }
  });

  it('is described in README under "Personal data", table by table', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.split('## Personal data')[1]?.split('\n## ')[0] ?? '';
    for (const table of Object.keys(INVENTORY)) expect(section, table).toContain(`\`${table}\``);
  });
});
