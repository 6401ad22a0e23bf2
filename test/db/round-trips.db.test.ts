import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, rowsOf } from '../../src/db/client.js';
import { accounts } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase, testDbKind } from '../support/db.js';

/**
 * What a transaction costs on the wire to PostgreSQL (issue 20): every write the client makes to the
 * database's socket. drizzle asks postgres.js for unnamed statements, which postgres.js sends in two
 * round trips when they have parameters (Parse and Describe, then Bind and Execute once the types are
 * back); the client hands drizzle prepared ones, one write each once a connection has seen them.
 */
describe.skipIf(testDbKind() !== 'postgres')('statements on PostgreSQL go out in one write each', () => {
  let db: TestDatabase;
  const writes: string[] = [];
  let port = 0;
  const original = net.Socket.prototype.write;

  beforeAll(async () => {
    db = await createTestDatabase();
    port = Number(new URL(db.url ?? '').port || 5432);
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
      if (this.remotePort === port && Buffer.isBuffer(args[0]))
        writes.push(String.fromCharCode(args[0][0] ?? 0));
      return (original as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof original;
  });
  afterAll(async () => {
    net.Socket.prototype.write = original;
    await db.drop();
  });

  /** The writes one transaction makes, after the same transaction once on every connection. */
  async function writesOf(fn: Parameters<typeof inTransaction>[1]): Promise<number> {
    const { db: drizzle } = db.database;
    // Five connections in the test pool: warm each (a statement's first use on a connection is described).
    await Promise.all(Array.from({ length: 5 }, () => inTransaction(drizzle, fn)));
    writes.length = 0;
    await inTransaction(drizzle, fn);
    return writes.length;
  }

  it('sends BEGIN, each parameterised statement and COMMIT as one write apiece', async () => {
    const count = await writesOf(async (tx) => {
      await tx.select().from(accounts).where(sql`${accounts.platformUserId} = ${'1'}`);
      await tx.execute(sql`select ${2}::int as two`);
    });
    // BEGIN, the two statements, COMMIT (six writes when each statement took two).
    expect(count).toBe(4);
  });

  it('sends statements issued together in the same write', async () => {
    const count = await writesOf(async (tx) => {
      await Promise.all([tx.execute(sql`select ${1}::int as one`), tx.execute(sql`select ${2}::int as two`)]);
    });
    expect(count).toBe(3);
  });

  it('leaves a batch with many parameters unprepared (its text varies with its size) and still runs it', async () => {
    const values = Array.from({ length: 100 }, (_, n) => n);
    const result = await db.database.db.execute(
      sql`select (${sql.join(
        values.map((n) => sql`${n}::int`),
        sql` + `,
      )}) as total`,
    );
    const [row] = rowsOf<{ total: number }>(result);
    expect(Number(row?.total)).toBe(4950);
  });
});
