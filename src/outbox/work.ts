import { type Db, inTransaction, type Tx } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Action } from './actions.js';
import { type EnqueueOptions, insertOutboxRows, type OutboxRow, outboxRow } from './enqueue.js';

/**
 * One transaction of a use case: it queries through `tx`, decides platform actions with `enqueue` (they
 * are performed only if the transaction commits), and schedules cache updates with `afterCommit`.
 * Outcome handlers get one too, so there is one way to enqueue everywhere.
 */
export interface Work {
  tx: Tx;
  /** The time of this unit of work, by the injected clock. */
  now: Date;
  /**
   * Adds an action to the outbox with this transaction: the transaction's actions are written together,
   * in the order enqueued, in one statement at its end.
   */
  enqueue(action: Action, options?: EnqueueOptions): Promise<void>;
  /** Runs after the transaction commits (cache updates); never if it rolls back. */
  afterCommit(fn: () => void): void;
}

/**
 * Runs `fn` as one {@link Work}. A transaction PostgreSQL picks as a deadlock victim is run again from
 * the start. `onEnqueued` is told after a commit that enqueued anything (to wake the outbox worker).
 */
export async function transact<T>(
  db: Db,
  clock: Clock,
  fn: (work: Work) => Promise<T>,
  onEnqueued?: () => void,
): Promise<T> {
  let after: Array<() => void> = [];
  let enqueued = false;
  const now = clock.now();
  const result = await inTransaction(db, async (tx) => {
    after = [];
    const rows: OutboxRow[] = [];
    const value = await fn({
      tx,
      now,
      enqueue: async (action, options) => {
        rows.push(outboxRow(clock, action, options));
      },
      afterCommit: (f) => after.push(f),
    });
    await insertOutboxRows(tx, rows);
    enqueued = rows.length > 0;
    return value;
  });
  for (const f of after) f();
  if (enqueued) onEnqueued?.();
  return result;
}
