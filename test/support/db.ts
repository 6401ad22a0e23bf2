import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Logger as QueryLogger } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';

export type TestDbKind = 'pglite' | 'postgres';

/** Which database this test project runs on (vitest.config.ts sets TEST_DB per project). */
export function testDbKind(): TestDbKind {
  return process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

export interface TestDatabase {
  database: Database;
  kind: TestDbKind;
  /** A URL another process (a second bot replica) can use; PostgreSQL only. */
  url?: string;
  /** Opens a second connection pool to the same database (a second replica in the same process). */
  openAnother(): Promise<Database>;
  drop(): Promise<void>;
}

let pgliteTemplate: Blob | undefined;

/**
 * A fresh, migrated database for one test file: a PGlite copy of the migrated template, or a new
 * PostgreSQL database cloned from the template database.
 */
export async function createTestDatabase(
  kind: TestDbKind = testDbKind(),
  options: { queryLogger?: QueryLogger } = {},
): Promise<TestDatabase> {
  const logged = options.queryLogger ? { queryLogger: options.queryLogger } : {};
  if (kind === 'pglite') {
    pgliteTemplate ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
    const client = new PGlite({ loadDataDir: pgliteTemplate });
    const database = await openDatabase({ kind: 'pglite', client, ...logged });
    return {
      database,
      kind,
      openAnother: () => Promise.reject(new Error('PGlite is a single in-process database')),
      drop: () => database.close(),
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  const template = inject('postgresTemplate');
  if (!base || !template) throw new Error('TEST_DATABASE_URL is not set');
  const name = `ccm_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}" template "${template}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const opened: Database[] = [];
  const open = async () => {
    const database = await openDatabase({
      kind: 'postgres',
      url: url.toString(),
      maxConnections: 5,
      ...logged,
    });
    opened.push(database);
    return database;
  };
  const database = await open();
  return {
    database,
    kind,
    url: url.toString(),
    openAnother: open,
    async drop() {
      for (const db of opened) await db.close().catch(() => {});
      const cleanup = postgres(base, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}
