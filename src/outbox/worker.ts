import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { claimDue, markDone, type Postponed, postponeClaimed } from '../db/repos/outbox.js';
import { outbox } from '../db/tables/outbox.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { type ActionPerformer, MessengerError, type Platform } from '../messenger/port.js';
import {
  type Action,
  type ActionResult,
  isMessageAction,
  isPacedMemberAction,
  MESSAGE_TYPES,
  perform,
  settledAnyway,
} from './actions.js';
import { Alarms } from './alarms.js';
import { Batcher } from './batcher.js';
import { FAST_LANE_SUFFIX, laneOf } from './enqueue.js';
import type { OutcomeHandler, OutcomeHandlers } from './handlers.js';
import type { ActionError, OutcomeName, OutcomeRef, Outcomes } from './outcomes.js';
import type { MessagePacer } from './pacer.js';
import { type Backoff, retryPlan } from './retry.js';
import { transact, type Work } from './work.js';

export type { OutcomeHandler, OutcomeHandlers } from './handlers.js';

interface ClaimedRow {
  id: number;
  lane: string;
  chat_id: number | null;
  action: Action;
  on_done: OutcomeRef | null;
  on_failed: OutcomeRef | null;
  attempts: number;
  max_attempts: number;
  created_at: Date | string;
}

export interface OutboxEvents {
  /** An action finally failed: it is recorded, and the chat's moderators may be told. */
  onFinalFailure?(
    work: Work,
    row: { id: number; chatId: number | null; action: Action; error: ActionError; handled: boolean },
  ): Promise<void>;
  /** Each attempt's outcome; `waitedMs` is how long a finished action waited since it was decided. */
  onOutcome?(action: Action, outcome: 'done' | 'retry' | 'failed', waitedMs?: number): void;
}

export interface OutboxWorkerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  performers: ReadonlyMap<Platform, ActionPerformer>;
  handlers: OutcomeHandlers;
  pacer: MessagePacer;
  events?: OutboxEvents;
  /** How many actions run at once (across lanes). */
  concurrency?: number;
  /** How long a claim lasts before another worker may take the action over. */
  leaseMs?: number;
  /** How often to look for work another process added. */
  pollMs?: number;
  /** The least time between two claim rounds (default 20 ms), so that a round under load takes a batch. */
  claimGapMs?: number;
  /**
   * A paced action whose slot frees within this long waits for it holding its claim (default 250 ms),
   * rather than being put back in the database and claimed again.
   */
  shortWaitMs?: number;
  /** Back-off base for retries; doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Performs outbox actions: claims due ones through the database (so several replicas share the work,
 * each action once), runs them with pacing, retries what failed for a passing reason (honouring
 * retry_after), and records final failures. A lane's actions run one at a time, in order.
 */
export class OutboxWorker {
  private running = false;
  private inFlight = 0;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loopDone: Promise<void> | undefined;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly claimGapMs: number;
  private readonly backoff: Backoff;
  private readonly workerId = randomUUID();
  private idleWaiters: Array<() => void> = [];
  private readonly completions = new Batcher<{ row: ClaimedRow; result: ActionResult }>(
    (batch) => this.completeBatch(batch),
    // A batch whose transaction failed (one handler threw) is recorded one by one: the others go on.
    (item) => this.completeOne(item.row, item.result),
    200,
  );

  /**
   * Actions put back for later (a pacing wait, a retry's back-off), in one statement a batch: with more
   * to send than the platform's limits allow, most claimed actions go back, each claim round.
   */
  private readonly postponements = new Batcher<Postponed>(
    (batch) => postponeClaimed(this.options.db, this.workerId, batch),
    (item) => postponeClaimed(this.options.db, this.workerId, [item]),
    200,
  );
  /** When put-back actions are due again: one timer, for the earliest. */
  private readonly alarms = new Alarms(() => this.wake(), 50);

  constructor(private readonly options: OutboxWorkerOptions) {
    this.concurrency = options.concurrency ?? 128;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 1000;
    this.claimGapMs = options.claimGapMs ?? 20;
    this.backoff = { baseMs: options.backoffMs ?? 1000, maxMs: options.maxBackoffMs ?? 5 * 60_000 };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming; waits for actions already running to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.alarms.clear();
    this.wake();
    await this.loopDone;
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Something was enqueued: look now instead of at the next poll. */
  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    if (wake) wake();
    else this.woken = true;
  }

  /** Resolves once a look for due work found nothing and nothing is running. */
  idle(): Promise<void> {
    this.wake();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async loop(): Promise<void> {
    let lastClaim = 0;
    while (this.running) {
      // Claims at most every `claimGapMs`: under load each round takes what came meanwhile, rather than
      // one action per round (a wake per enqueue and per completion: 200 rounds a second at 200 strikes).
      const gap = lastClaim + this.claimGapMs - Date.now();
      if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
      lastClaim = Date.now();
      let claimed: ClaimedRow[] = [];
      this.woken = false;
      const room = this.concurrency - this.inFlight;
      if (room > 0) {
        try {
          claimed = await this.claim(room);
        } catch (error) {
          this.options.log.error({ err: error }, 'outbox: claiming work failed');
        }
      }
      for (const row of claimed) {
        this.inFlight += 1;
        void this.execute(row)
          .catch((error: unknown) => {
            // Recording the outcome failed (the database is away): the lease runs out and the action is
            // claimed again, so it is retried rather than lost.
            this.options.log.error({ err: error, outboxId: row.id }, 'outbox: could not record an outcome');
          })
          .finally(() => {
            this.inFlight -= 1;
            this.wake();
          });
      }
      if (claimed.length === 0 && room > 0) {
        if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
      if (claimed.length === 0 || this.inFlight >= this.concurrency) await this.sleep(this.pollMs);
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Claims the head action of up to `limit` lanes, for the lease (`claimDue`). */
  private async claim(limit: number): Promise<ClaimedRow[]> {
    const now = this.options.clock.now();
    const lease = new Date(now.getTime() + this.leaseMs);
    // No more messages than the overall window has room for: the rest would only be put back.
    const room = this.options.pacer.messageRoom?.();
    if (room && room.free === 0) this.alarms.at(Date.now() + room.wait + 5);
    const messages = room && room.free < limit ? { types: MESSAGE_TYPES, limit: room.free } : undefined;
    return claimDue<ClaimedRow>(this.options.db, { claimToken: this.workerId, limit, now, lease, messages });
  }

  private async execute(row: ClaimedRow): Promise<void> {
    const { action } = row;
    const messenger = this.options.performers.get(action.chat.platform);
    if (!messenger) {
      await this.fail(row, { code: 'NO_CONNECTOR', message: `no connector for ${action.chat.platform}` });
      return;
    }
    let answered: (() => Promise<void>) | undefined;
    if (isMessageAction(action) || (isPacedMemberAction(action) && !row.lane.endsWith(FAST_LANE_SUFFIX))) {
      const group = !messenger.isPrivateChat(action.chat);
      let slot = await this.options.pacer.reserve(row.lane, group);
      // A slot free within a moment is waited for here: put back and claimed again, each such wait is two
      // round trips to the database (hundreds a second with a thousand lifts due).
      const shortWait = this.options.shortWaitMs ?? 250;
      for (let waited = 0; slot.wait > 0 && waited + slot.wait <= shortWait; ) {
        await new Promise((resolve) => setTimeout(resolve, slot.wait));
        waited += slot.wait;
        slot = await this.options.pacer.reserve(row.lane, group);
      }
      if (slot.wait > 0) {
        // A member action goes back until a little before its slot: claimed again then, it waits out the
        // rest here, on time, instead of a round's delays (the alarm's granularity, the claim gap, the
        // claim) adding to every window of the limits. Messages are claimed only as the overall window
        // has room (`claim`), which one claimed early would take from a message that could go.
        const early = isMessageAction(action) ? 0 : shortWait / 2;
        await this.postpone(row, Math.max(1, slot.wait - early), false);
        return;
      }
      answered = slot.answered;
    }
    let result: ActionResult;
    try {
      result = await perform(messenger, action).finally(() => answered?.().catch(() => {}));
    } catch (caught) {
      const error = caught instanceof MessengerError ? caught : new MessengerError('NETWORK', String(caught));
      const settled = settledAnyway(action, error);
      if (settled) {
        result = null;
      } else {
        const { retry, counts, delayMs } = retryPlan(row, error, this.waited(row), this.backoff);
        this.options.events?.onOutcome?.(
          action,
          retry ? 'retry' : 'failed',
          retry ? undefined : this.waited(row),
        );
        if (
          error.code === 'CHAT_MIGRATED' &&
          error.details.migratedToChatId &&
          row.attempts < row.max_attempts
        ) {
          await this.reroute(row, error.details.migratedToChatId);
        } else if (retry) {
          await this.postpone(row, delayMs, counts, error.message);
        } else {
          await this.fail(row, { code: error.code, message: error.message });
        }
        return;
      }
    }
    await this.complete(row, result);
    this.options.events?.onOutcome?.(action, 'done', this.waited(row));
  }

  private waited(row: ClaimedRow): number {
    return this.options.clock.now().getTime() - new Date(row.created_at).getTime();
  }

  private transact(fn: (work: Work) => Promise<void>): Promise<void> {
    return transact(this.options.db, this.options.clock, fn, () => this.wake());
  }

  /**
   * Records a performed action's outcome. Outcomes are recorded in batches: one transaction marks every
   * action finished meanwhile as done and runs their handlers (one commit for many; a lane's next action
   * becomes claimable once it commits). The promise settles when this action's outcome is committed.
   */
  private complete(row: ClaimedRow, result: ActionResult): Promise<void> {
    return this.completions.add({ row, result });
  }

  private async completeBatch(batch: Array<{ row: ClaimedRow; result: ActionResult }>): Promise<void> {
    if (batch.length === 1 && batch[0]) return this.completeOne(batch[0].row, batch[0].result);
    await this.transact(async (work) => {
      // An action whose lease ran out and another worker took over is theirs to record.
      const mine = await markDone(
        work.tx,
        this.workerId,
        batch.map(({ row, result }) => ({ id: row.id, result })),
        work.now,
      );
      const together = new Map<OutcomeName, Array<{ args: Outcomes[OutcomeName]; result: ActionResult }>>();
      for (const { row, result } of batch) {
        if (!mine.has(row.id) || !row.on_done) continue;
        if (this.handler(row.on_done)?.doneAll) {
          const outcomes = together.get(row.on_done.name) ?? [];
          outcomes.push({ args: row.on_done.args as Outcomes[OutcomeName], result });
          together.set(row.on_done.name, outcomes);
        } else {
          await this.runHandler(work, row.on_done, { done: result });
        }
      }
      for (const [name, outcomes] of together) await this.handler({ name })?.doneAll?.(work, outcomes);
    });
  }

  private async completeOne(row: ClaimedRow, result: ActionResult): Promise<void> {
    await this.transact(async (work) => {
      const updated = await work.tx
        .update(outbox)
        .set({ status: 'done', result, completedAt: work.now, claimedUntil: null })
        .where(and(eq(outbox.id, row.id), eq(outbox.claimToken, this.workerId), eq(outbox.status, 'pending')))
        .returning({ id: outbox.id });
      // Our lease ran out and another worker took over: the outcome is theirs to record.
      if (updated.length === 0) return;
      if (row.on_done) await this.runHandler(work, row.on_done, { done: result });
    });
  }

  private async postpone(
    row: ClaimedRow,
    delayMs: number,
    countAttempt: boolean,
    error?: string,
  ): Promise<void> {
    const next = new Date(this.options.clock.now().getTime() + delayMs);
    await this.postponements.add({ id: row.id, next, countAttempt, error });
    this.alarms.at(Date.now() + Math.min(delayMs, this.pollMs) + 5);
  }

  private async reroute(row: ClaimedRow, chatId: string): Promise<void> {
    const action = { ...row.action, chat: { ...row.action.chat, platformChatId: chatId } } as Action;
    await this.options.db
      .update(outbox)
      .set({ action, lane: laneOf(action), claimedUntil: null, claimToken: null })
      .where(and(eq(outbox.id, row.id), eq(outbox.claimToken, this.workerId)));
    this.wake();
  }

  private async fail(row: ClaimedRow, error: ActionError): Promise<void> {
    const { message } = error;
    this.options.log.warn(
      { outboxId: row.id, action: row.action.type, error: message },
      'outbox: action failed for good',
    );
    await this.transact(async (work) => {
      const updated = await work.tx
        .update(outbox)
        .set({ status: 'failed', lastError: message, completedAt: work.now, claimedUntil: null })
        .where(and(eq(outbox.id, row.id), eq(outbox.claimToken, this.workerId), eq(outbox.status, 'pending')))
        .returning({ id: outbox.id });
      if (updated.length === 0) return;
      if (row.on_failed) await this.runHandler(work, row.on_failed, { failed: error });
      await this.options.events?.onFinalFailure?.(work, {
        id: row.id,
        chatId: row.chat_id,
        action: row.action,
        error,
        handled: row.on_failed !== null,
      });
    });
  }

  /** Runs the named handler with its stored arguments (a name no handler has is a bug, logged). */
  private async runHandler(
    work: Work,
    ref: OutcomeRef,
    outcome: { done: ActionResult } | { failed: ActionError },
  ): Promise<void> {
    const handler = this.handler(ref);
    if (!handler) {
      this.options.log.error({ handler: ref.name }, 'outbox: no such outcome handler');
      return;
    }
    const args = ref.args as Outcomes[OutcomeName];
    if (!('done' in outcome)) await handler.failed?.(work, args, outcome.failed);
    else if (handler.doneAll) await handler.doneAll(work, [{ args, result: outcome.done }]);
    else await handler.done?.(work, args, outcome.done);
  }

  private handler(ref: Pick<OutcomeRef, 'name'>): OutcomeHandler<OutcomeName> | undefined {
    return this.options.handlers[ref.name] as OutcomeHandler<OutcomeName> | undefined;
  }
}
