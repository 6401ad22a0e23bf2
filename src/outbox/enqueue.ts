import type { Executor } from '../db/client.js';
import { outbox } from '../db/tables/outbox.js';
import type { Clock } from '../lib/clock.js';
import { type Action, MEMBER_ACTIONS } from './actions.js';
import type { OutcomeRef } from './outcomes.js';

export interface EnqueueOptions {
  /** Actions of one lane run in order; the default lane is the action's chat. */
  lane?: string;
  /** Our chat row the action is about (reports and metrics group by it). */
  chatId?: number | null;
  onDone?: OutcomeRef;
  onFailed?: OutcomeRef;
  maxAttempts?: number;
  notBefore?: Date;
}

export const DEFAULT_MAX_ATTEMPTS = 10;

const MEMBERS = ':members';

/**
 * The queue an action waits in: a chat's messages have one, so a mute never waits behind messages paced
 * to the platform's limits (20 a minute in a group), and each member has one for the actions on them, so
 * a chat's ten lifts due at once go out side by side rather than one after another (pacing still counts
 * them per chat: `pacingKeyOf`). A member's actions keep their order (a mute before its unmute), and
 * messages theirs; what must follow an action across lanes is enqueued by the action's outcome.
 * Deletions of a member's messages share the chat's member lane.
 */
export function laneOf(action: Action): string {
  const chat = `${action.chat.platform}:${action.chat.platformChatId}`;
  if (!MEMBER_ACTIONS.has(action.type)) return `${chat}:messages`;
  return 'userId' in action ? `${chat}${MEMBERS}:${action.userId}` : `${chat}${MEMBERS}`;
}

/**
 * What a lane is paced as: a member's lane as their chat's member lane (Telegram counts a chat's
 * restrictions together, whoever they are for), any other lane as itself.
 */
export function pacingKeyOf(lane: string): string {
  const at = lane.lastIndexOf(`${MEMBERS}:`);
  return at < 0 ? lane : lane.slice(0, at + MEMBERS.length);
}

/** Whether a lane holds member actions (paced in a budget of their own). */
export function isMemberLane(lane: string): boolean {
  return pacingKeyOf(lane).endsWith(MEMBERS);
}

/**
 * A chat's fast lane: deletions that must follow a message within a second (emulated read-only). Its
 * actions retry a passing refusal (the platform's rate) within a second rather than backing off for
 * seconds; they run in order among themselves, behind nothing else.
 */
export function fastLaneOf(chat: Action['chat']): string {
  return `${chat.platform}:${chat.platformChatId}${FAST_LANE_SUFFIX}`;
}

export const FAST_LANE_SUFFIX = ':fast';

/**
 * A chat's lane for deleting commands whose answer went elsewhere (privately, or a refusal): they are
 * retried like any action, and nothing waits behind them — a mute does not queue after a deletion the
 * platform keeps refusing for a while.
 */
export function commandsLaneOf(chat: Action['chat']): string {
  return `${chat.platform}:${chat.platformChatId}:commands`;
}

export type OutboxRow = typeof outbox.$inferInsert;

/** The outbox row of an action decided now. */
export function outboxRow(clock: Clock, action: Action, options: EnqueueOptions = {}): OutboxRow {
  const now = clock.now();
  return {
    lane: options.lane ?? laneOf(action),
    chatId: options.chatId ?? null,
    action,
    onDone: options.onDone ?? null,
    onFailed: options.onFailed ?? null,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    nextAttemptAt: options.notBefore ?? now,
    createdAt: now,
  };
}

/** Writes actions to the outbox in one statement; their ids follow their order (a lane's order). */
export async function insertOutboxRows(ex: Executor, rows: OutboxRow[]): Promise<void> {
  if (rows.length > 0) await ex.insert(outbox).values(rows);
}

/** Adds an action to the outbox inside the caller's transaction: it happens if and only if they commit. */
export async function enqueue(
  ex: Executor,
  clock: Clock,
  action: Action,
  options: EnqueueOptions = {},
): Promise<number> {
  const [row] = await ex
    .insert(outbox)
    .values(outboxRow(clock, action, options))
    .returning({ id: outbox.id });
  return row?.id ?? 0;
}
