import { sql } from 'drizzle-orm';
import { type Db, rowsOf, timestamp } from '../client.js';
import { outbox } from '../tables/outbox.js';

/** Pending actions and the age of the oldest, for /metrics. */
export async function outboxDepth(db: Db, now: Date): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const result = await db.execute(sql`
    select count(*)::int as pending, coalesce(extract(epoch from (${timestamp(now)} - min(created_at))), 0)::float as age
    from ${outbox} where status = 'pending'`);
  const row = rowsOf<{ pending: number; age: number }>(result)[0];
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.age ?? 0)) };
}
