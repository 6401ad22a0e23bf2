import { type SQL, sql } from 'drizzle-orm';
import { type Db, type Executor, rowsOf, timestamp } from '../client.js';
import { outbox } from '../tables/outbox.js';

/** Pending actions and the age of the oldest, for /metrics. */
export async function outboxDepth(db: Db, now: Date): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const result = await db.execute(sql`
    select count(*)::int as pending, coalesce(extract(epoch from (${timestamp(now)} - min(created_at))), 0)::float as age
    from ${outbox} where status = 'pending'`);
  const row = rowsOf<{ pending: number; age: number }>(result)[0];
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.age ?? 0)) };
}

export interface Postponed {
  id: number;
  next: Date;
  countAttempt: boolean;
  error: string | undefined;
}

/**
 * Puts claimed actions back for later, in one statement: each due again at `next`, its attempt not
 * counted unless `countAttempt` (a pacing wait is no attempt), its error kept. Only the claimant's
 * (`claimToken`): an action another worker took over after the lease ran out is theirs.
 */
export async function postponeClaimed(db: Db, claimToken: string, rows: readonly Postponed[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    ({ id, next, countAttempt, error }) =>
      sql`(${id}::bigint, ${next.toISOString()}::timestamptz, ${countAttempt ? 0 : 1}::int, ${error ?? null}::text)`,
  );
  await db.execute(sql`
    update ${outbox} o set next_attempt_at = v.next, claimed_until = null, claim_token = null,
      attempts = o.attempts - v.uncounted, last_error = coalesce(v.error, o.last_error)
    from (values ${sql.join(values, sql`, `)}) as v (id, next, uncounted, error)
    where o.id = v.id and o.claim_token = ${claimToken}`);
}

/**
 * Claims the head action of up to `limit` lanes for `claimToken` until `lease`: SKIP LOCKED lets replicas
 * claim side by side; the lease lets another worker take over an action whose worker died. With
 * `messages`, at most `messages.limit` of them are of `messages.types` (the rest of the limit goes to
 * other actions): no more messages than the platform's limits let go now.
 */
export async function claimDue<Row extends { id: number }>(
  db: Db,
  {
    claimToken,
    limit,
    now,
    lease,
    messages,
  }: {
    claimToken: string;
    limit: number;
    now: Date;
    lease: Date;
    messages?: { types: readonly string[]; limit: number } | undefined;
  },
): Promise<Row[]> {
  const due = (kind: SQL, count: number) => sql`
    select o.id from ${outbox} o
    where o.status = 'pending' and o.next_attempt_at <= ${timestamp(now)}
      and (o.claimed_until is null or o.claimed_until < ${timestamp(now)})
      and not exists (
        select 1 from ${outbox} p where p.lane = o.lane and p.status = 'pending' and p.id < o.id
      )
      ${kind}
    order by o.next_attempt_at, o.id
    limit ${count}
    for update skip locked`;
  let heads = sql`id in (${due(sql``, limit)})`;
  if (messages && messages.limit < limit) {
    const types = sql.join(
      messages.types.map((type) => sql`${type}`),
      sql`, `,
    );
    heads = sql`id in (${due(sql`and o.action->>'type' not in (${types})`, limit - messages.limit)})
      or id in (${due(sql`and o.action->>'type' in (${types})`, messages.limit)})`;
  }
  const result = await db.execute(sql`
    update ${outbox} set claimed_until = ${timestamp(lease)}, claim_token = ${claimToken}, attempts = attempts + 1
    where ${heads}
    returning id, lane, chat_id, action, on_done, on_failed, attempts, max_attempts, created_at`);
  return rowsOf<Row>(result).map((row) => ({ ...row, id: Number(row.id) }));
}

/** Marks claimed actions done with their results, in one statement; returns the ids that were the claimant's. */
export async function markDone(
  ex: Executor,
  claimToken: string,
  rows: ReadonlyArray<{ id: number; result: unknown }>,
  now: Date,
): Promise<Set<number>> {
  const values = rows.map(
    ({ id, result }) =>
      sql`(${id}::bigint, ${result === null || result === undefined ? null : JSON.stringify(result)}::jsonb)`,
  );
  const updated = await ex.execute(sql`
    update ${outbox} o set status = 'done', result = v.result, completed_at = ${timestamp(now)},
      claimed_until = null
    from (values ${sql.join(values, sql`, `)}) as v (id, result)
    where o.id = v.id and o.claim_token = ${claimToken} and o.status = 'pending'
    returning o.id`);
  return new Set(rowsOf<{ id: number | string }>(updated).map((row) => Number(row.id)));
}
