import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { openReadOnlyCache, type ReadOnlyCache } from '../../src/db/read-only-cache.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase, testDbKind } from '../support/db.js';
import { waitFor } from '../support/net.js';

const HOUR = 3600_000;

/**
 * MAX has no mute: the bot deletes a silenced member's messages, deciding from a per-process cache of who
 * may only read. A replica learns of another's change by LISTEN/NOTIFY. When its listening connection is
 * lost, the notifications sent meanwhile are lost with it: the cache must not go on trusting what it holds.
 */
describe.runIf(testDbKind() === 'postgres')('the read-only cache across a lost listening connection', () => {
  let db: TestDatabase;
  let other: Database;
  let cache: ReadOnlyCache;
  const logLines: string[] = [];
  let userId = 0;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    other = await db.openAnother();
    const log = createLogger(
      'debug',
      new Writable({ write: (chunk, _enc, done) => done(void logLines.push(String(chunk))) }),
    );
    // An hour's TTL: only notifications and the drop on listening again can make the cache read anew.
    cache = await openReadOnlyCache(db.database, systemClock, log, HOUR);
  });
  afterAll(async () => {
    await cache.close();
    await db.drop();
  });

  /** A newcomer in chat 77 who has not accepted the rules yet, written by the other replica. */
  async function newcomer(): Promise<{ id: string; gate: number }> {
    userId += 1;
    const id = String(1000 + userId);
    const [chat] = (await other.db.execute(sql`
      insert into chats (platform, platform_chat_id, type, bot_status) values ('max', '77', 'group', 'administrator')
      on conflict (platform, platform_chat_id) do update set title = chats.title returning id`)) as unknown as Array<{
      id: number;
    }>;
    const [account] = (await other.db.execute(sql`
      insert into accounts (platform, platform_user_id) values ('max', ${id}) returning id`)) as unknown as Array<{
      id: number;
    }>;
    const [gate] = (await other.db.execute(sql`
      insert into gate_entries (chat_id, account_id, status, joined_at)
      values (${chat?.id}, ${account?.id}, 'pending', now()) returning id`)) as unknown as Array<{
      id: number;
    }>;
    return { id, gate: Number(gate?.id) };
  }

  const accept = (gate: number) =>
    other.db.execute(sql`update gate_entries set status = 'accepted', decided_at = now() where id = ${gate}`);

  it('forgets what it held when it listens again, and hears the other replica’s changes after', async () => {
    const first = await newcomer();
    expect(await cache.silenceOf('max', '77', first.id)).toMatchObject({ key: `gate:${first.gate}` });

    // The listening connection is cut, and in the same transaction the other replica lets the newcomer
    // write: the notification is sent on commit, to a connection that is gone.
    await other.db.transaction(async (tx) => {
      await tx.execute(sql`
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`);
      await tx.execute(
        sql`update gate_entries set status = 'accepted', decided_at = now() where id = ${first.gate}`,
      );
    });
    await waitFor(
      () => logLines.some((line) => line.includes('listening for read-only changes again')),
      'listening again',
    );
    expect(await cache.silenceOf('max', '77', first.id)).toBeUndefined();

    // Listening again works: a newcomer of the other replica is silenced here, and let out when they accept.
    const second = await newcomer();
    await waitFor(
      async () => (await cache.silenceOf('max', '77', second.id))?.key === `gate:${second.gate}`,
      'the second newcomer silenced',
    );
    await accept(second.gate);
    await waitFor(
      async () => (await cache.silenceOf('max', '77', second.id)) === undefined,
      'the second newcomer let out',
    );
  });
});
