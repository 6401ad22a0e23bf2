import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, type Logger as QueryLogger, type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { began, committed } from './changes.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** One type for both drivers: the code never needs to know which database it runs on. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that runs queries: the database or an open transaction. */
export type Executor = Db | Tx;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Arbitrary but fixed: serialises migrations when several replicas start at once. */
const MIGRATION_LOCK_KEY = 7_557_434_852;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>;
  /**
   * Calls `onNotify` with each payload notified on `channel` (on commit of the sending transaction), and
   * `onListen` each time listening (re)starts: after a lost connection, notifications may have been
   * missed. Returns how to stop listening.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type DatabaseTarget = (
  | { kind: 'postgres'; url: string; maxConnections?: number }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite'; client: PGlite }
) & {
  /** Told every statement the application runs (tests count them); not the migrations'. */
  queryLogger?: QueryLogger;
};

/** Opens the database and brings its schema up to date with the committed migrations. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    return openPostgres(target.url, target.maxConnections ?? 10, target.queryLogger);
  }
  let client: PGlite;
  if ('client' in target) {
    client = target.client;
  } else {
    // PGlite does not create parent directories itself.
    await mkdir(path.resolve(target.dataDir), { recursive: true });
    client = new PGlite(path.resolve(target.dataDir));
  }
  await client.waitReady;
  await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
  if (strictPool()) guardPool(client, 'query');
  const db = drizzlePglite({ client, schema, ...(target.queryLogger ? { logger: target.queryLogger } : {}) });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    // One process is PGlite's only writer, and its repositories tell it of their changes at commit
    // (changes.ts): nothing to hear from others.
    listen: async (_channel, _onNotify, onListen) => {
      onListen();
      return async () => {};
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(url: string, maxConnections: number, logger?: QueryLogger): Promise<Database> {
  // Migrate over a single connection holding an advisory lock, so two replicas starting together do not
  // race each other through the same migration.
  const single = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await single`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(drizzlePostgres({ client: single, schema }), {
        migrationsFolder: MIGRATIONS_FOLDER,
      });
    } finally {
      await single`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await single.end({ timeout: 5 });
  }
  const sql = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    connection: { application_name: 'class-chat-moderator' },
  });
  if (strictPool()) guardPool(sql, 'unsafe');
  const db = drizzlePostgres({ client: preparing(sql), schema, ...(logger ? { logger } : {}) });
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    ping: async () => {
      await sql`select 1`;
    },
    listen: async (channel, onNotify, onListen) => {
      // postgres.js listens on a connection of its own and listens again when it is lost, calling
      // onListen each time.
      const { unlisten } = await sql.listen(channel, onNotify, onListen);
      return async () => {
        await unlisten();
      };
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * Statements with at most this many parameters are prepared once per connection. A statement with more
 * is a batch whose text varies with its size: preparing each size would fill the connections' (and
 * PostgreSQL's) statement caches, which postgres.js never empties (a connection lives 30–60 minutes).
 */
const PREPARE_UP_TO_PARAMETERS = 64;

/**
 * The client drizzle gets: its statements prepared (named, cached per connection), in transactions too.
 * drizzle asks postgres.js for unnamed statements, and postgres.js sends an unnamed statement with
 * parameters in two round trips (Parse and Describe, then, once the parameter types are back, Bind and
 * Execute) — every statement twice over the network, and a statement that waits for its types holds
 * back the ones sent with it. A prepared one, after its first use on a connection, is one round trip.
 * postgres.js prepares a statement again when PostgreSQL says its cached plan is stale (a migration
 * from another replica changed a table it reads).
 */
function preparing<T extends postgres.Sql | postgres.TransactionSql>(client: T): T {
  type Unsafe = (query: string, parameters?: unknown[], options?: { prepare?: boolean }) => unknown;
  type Scoped = (...args: [...string[], (scoped: postgres.TransactionSql) => unknown]) => Promise<unknown>;
  return new Proxy(client, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key === 'unsafe') {
        const unsafe = value as Unsafe;
        return (query: string, parameters: unknown[] = [], options: { prepare?: boolean } = {}) =>
          unsafe.call(target, query, parameters, {
            ...options,
            prepare: options.prepare || parameters.length <= PREPARE_UP_TO_PARAMETERS,
          });
      }
      if (key === 'begin' || key === 'savepoint') {
        const scoped = value as Scoped;
        return (...args: Parameters<Scoped>) => {
          const fn = args.pop() as (scoped: postgres.TransactionSql) => unknown;
          return scoped.call(target, ...(args as string[]), (inner: postgres.TransactionSql) =>
            fn(preparing(inner)),
          );
        };
      }
      return value;
    },
  });
}

/** Rows of a raw query, whichever driver ran it (PGlite returns `{ rows }`, postgres.js an array). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && 'rows' in result) return (result as { rows: T[] }).rows;
  return [];
}

/**
 * A timestamp parameter for raw SQL. drizzle's postgres.js driver passes timestamps through as text,
 * so a Date must be sent as ISO text and cast; this works the same on PGlite.
 */
export function timestamp(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

/** PostgreSQL's answers that mean "try the transaction again": deadlock, serialization failure. */
const RETRY_SQLSTATES = new Set(['40P01', '40001']);

export function isRetryableDbError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RETRY_SQLSTATES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs `fn` in a transaction, again (a few times, after a short random pause) if PostgreSQL picked it
 * as the victim of a deadlock or a serialization failure; `fn` must be safe to re-run from the start.
 */
/**
 * `CCM_STRICT_POOL=1` (the tests set it): a query on the database itself, not on the transaction, made
 * inside a transaction fails at once. Such a query waits for a second connection while its transaction
 * holds one: PGlite has only one, so it never runs, and on PostgreSQL enough of them at once (a restart
 * empties the caches that usually spare the query) hold every connection of the pool, and the bot stops.
 */
const strictPool = () => process.env.CCM_STRICT_POOL === '1';
const insideTransaction = new AsyncLocalStorage<true>();

function guardPool<K extends string>(client: Record<K, unknown>, method: K): void {
  const original = client[method] as (...args: unknown[]) => unknown;
  client[method] = ((...args: unknown[]) => {
    if (insideTransaction.getStore()) {
      throw new Error(`a query on the pool inside a transaction: ${String(args[0]).slice(0, 160)}`);
    }
    return original.apply(client, args);
  }) as Record<K, unknown>[K];
}

export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      let ran: Tx | undefined;
      const result = await db.transaction((tx) => {
        ran = tx;
        began(db, tx);
        return strictPool() ? insideTransaction.run(true, () => fn(tx)) : fn(tx);
      });
      if (ran) committed(ran);
      return result;
    } catch (error) {
      if (attempt >= attempts || !isRetryableDbError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
