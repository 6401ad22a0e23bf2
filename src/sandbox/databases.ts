import { PGlite } from '@electric-sql/pglite';
import { type Database, openDatabase } from '../db/client.js';

/**
 * Fresh, migrated in-memory databases, one per sandbox session: the sandbox starts from a clean slate
 * every time and never touches DATA_DIR. Creating a PGlite database from nothing takes seconds, so the
 * first one is copied (compressed, before any row is written) and every reset opens a copy of it.
 */
export class FreshDatabases {
  /** @param template a dump of an empty, migrated database to copy from the start (tests pass theirs) */
  constructor(private template?: Blob) {}

  async open(): Promise<Database> {
    if (this.template) {
      return openDatabase({ kind: 'pglite', client: new PGlite({ loadDataDir: this.template }) });
    }
    const client = new PGlite();
    const database = await openDatabase({ kind: 'pglite', client });
    this.template = await client.dumpDataDir('gzip');
    return database;
  }
}
