import { type SQL, sql } from 'drizzle-orm';
import { type Db, inTransaction, rowsOf } from '../client.js';
import { pacingSlots } from '../schema.js';

/** How long a slot whose call was never answered (its replica died) counts as happening now. */
export const OPEN_AT_MOST_MS = 30_000;

/** One sliding window: at most `limit` sends under `key` within `windowMs`. */
export interface PacingWindow {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Takes a slot in every window, or none: returns 0 when the send may go now (its slots are recorded), or
 * how many milliseconds until all of them have room (nothing recorded). The windows' keys are locked
 * (advisory, for the transaction, always in the same order) so replicas take slots one at a time, and
 * time is PostgreSQL's, one clock for every replica.
 */
export async function takePacingSlots(
  db: Db,
  windows: PacingWindow[],
): Promise<{ wait: number; takenAt?: number; waitFor?: string }> {
  const sorted = [...windows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keys = sql.join(
    sorted.map((w) => sql`(${w.key}::text, ${w.windowMs}::int)`),
    sql`, `,
  );
  return inTransaction(db, async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(w.key)) from (values ${keys}) as w (key, ms) order by w.key`,
    );
    // A slot not yet answered counts as now (its call may not have reached the platform yet), for at most
    // OPEN_AT_MOST_MS: a replica that died mid-call does not hold a window shut.
    const seen = rowsOf<{ key: string; at: number | string }>(
      await tx.execute(sql`
        select '' as key, extract(epoch from clock_timestamp()) * 1000 as at
        union all
        select s.key, extract(epoch from case
          when s.open and s.at > clock_timestamp() - ${OPEN_AT_MOST_MS}::int * interval '1 millisecond'
          then clock_timestamp() else s.at end) * 1000 as at
        from ${pacingSlots} s join (values ${keys}) as w (key, ms) on s.key = w.key
        where s.at > clock_timestamp() - greatest(w.ms, ${OPEN_AT_MOST_MS}::int) * interval '1 millisecond'`),
    );
    const now = Number(seen.find((row) => row.key === '')?.at ?? Date.now());
    let wait = 0;
    let waitFor: string | undefined;
    for (const window of sorted) {
      const stamps = seen
        .filter((row) => row.key === window.key)
        .map((row) => Math.min(Number(row.at), now))
        .filter((at) => at > now - window.windowMs)
        .sort((a, b) => a - b);
      if (stamps.length >= window.limit) {
        const oldest = stamps[stamps.length - window.limit] ?? now;
        const windowWait = Math.ceil(oldest + window.windowMs - now);
        if (windowWait > wait) {
          wait = windowWait;
          waitFor = window.key;
        }
      }
    }
    if (waitFor !== undefined) return { wait, waitFor };
    const at = sql`to_timestamp(${now / 1000}::float8)`;
    const rows: SQL[] = sorted.map((w) => sql`(${w.key}::text, ${at}, true)`);
    await tx.execute(sql`
      with old as (
        delete from ${pacingSlots} s using (values ${keys}) as w (key, ms)
        where s.key = w.key and s.at <= ${at} - greatest(w.ms, ${OPEN_AT_MOST_MS}::int) * interval '1 millisecond'
      )
      insert into ${pacingSlots} (key, at, open) values ${sql.join(rows, sql`, `)}`);
    return { wait: 0, takenAt: now };
  });
}

/**
 * Moves slots taken at `takenAt` to now, once the call has been answered: the platform counts a message
 * when it arrives, which may be well after the slot was taken on a busy machine, and never after the
 * answer. A window of answered calls never undercounts what the platform saw.
 */
export async function settlePacingSlots(db: Db, keys: string[], takenAt: number): Promise<void> {
  await db.execute(sql`
    update ${pacingSlots} set at = greatest(at, clock_timestamp()), open = false
    where key in (${sql.join(
      keys.map((key) => sql`${key}::text`),
      sql`, `,
    )}) and at = to_timestamp(${takenAt / 1000}::float8)`);
}

/** Forgets slots past every window (a chat's are otherwise kept until its next message); returns how many. */
export async function prunePacingSlots(db: Db): Promise<number> {
  const removed = await db.execute(
    sql`delete from ${pacingSlots} where at < clock_timestamp() - interval '2 minutes' returning 1`,
  );
  return rowsOf(removed).length;
}
