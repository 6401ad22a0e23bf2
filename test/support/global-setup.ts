import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

/** Changes whenever a migration does, so templates are rebuilt exactly when needed. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (file.endsWith('.sql')) hash.update(file).update(readFileSync(path.join(MIGRATIONS_FOLDER, file)));
  }
  hash.update(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json')));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Migrates one database of each kind once per run; test files then copy it (PGlite from a data-dir
 * dump, PostgreSQL with CREATE DATABASE … TEMPLATE) instead of migrating from scratch.
 */
export default async function setup(project: TestProject): Promise<void> {
  const hash = migrationsHash();
  const dumpFile = path.join(tmpdir(), `ccm-pglite-template-${hash}.tar`);
  if (!existsSync(dumpFile)) {
    const client = new PGlite();
    const database = await openDatabase({ kind: 'pglite', client });
    const dump = await client.dumpDataDir('none');
    await database.close();
    const partial = `${dumpFile}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, dumpFile);
  }
  project.provide('pgliteTemplate', dumpFile);

  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const template = `ccm_template_${hash}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [exists] = await admin`select 1 from pg_database where datname = ${template}`;
      if (!exists) {
        const building = `${template}_building_${process.pid}`;
        await admin.unsafe(`drop database if exists "${building}"`);
        await admin.unsafe(`create database "${building}"`);
        const target = new URL(url);
        target.pathname = `/${building}`;
        const database = await openDatabase({ kind: 'postgres', url: target.toString(), maxConnections: 1 });
        await database.close();
        await admin.unsafe(`alter database "${building}" rename to "${template}"`);
      }
    } finally {
      await admin.end();
    }
    project.provide('postgresTemplate', template);
  } else {
    project.provide('postgresTemplate', '');
  }
}
