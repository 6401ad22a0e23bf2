import type { ChatSettings } from './settings.js';
import { addCalendarDays, addCalendarMonths } from './time.js';

/**
 * Strikes and blocks (regulation 4.13.5): a member who broke the rules more than `strike_limit` times
 * may be blocked for up to one month. Pure: the caller brings the facts and "now".
 */

export interface StrikeFacts {
  createdAt: Date;
  revokedAt: Date | null;
  /** The block this strike led to, if any, and whether that block is over (term ended or lifted by vote). */
  block: { ended: boolean } | null;
}

/** How a block keeps a member out: read-only in the chat (`mute`) or removed from it (`ban`). */
export type BlockMode = 'mute' | 'ban';

/**
 * A block's life: `active` once decided (applied on the platform when its `applied_at` is set),
 * `lifting` while the platform lifts it, `lifted`, or `failed` when the platform refused to apply it
 * (then nobody is blocked and its strikes count again).
 */
export type BlockStatus = 'active' | 'lifting' | 'lifted' | 'failed';

/** Why a block ended: its term ran out, the objection vote let the member back, or a correction. */
export type LiftReason = 'term' | 'vote' | 'correction';

export type StrikeSettings = Pick<ChatSettings, 'strike_limit' | 'block_days' | 'strike_days'>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A strike counts while it is not revoked, not consumed by a block that has ended, and younger than
 * `strike_days`.
 */
export function isActiveStrike(
  strike: StrikeFacts,
  settings: Pick<StrikeSettings, 'strike_days'>,
  now: Date,
): boolean {
  if (strike.revokedAt) return false;
  if (strike.block?.ended) return false;
  return now.getTime() - strike.createdAt.getTime() < settings.strike_days * DAY_MS;
}

export function countActive(
  strikes: readonly StrikeFacts[],
  settings: Pick<StrikeSettings, 'strike_days'>,
  now: Date,
) {
  return strikes.filter((strike) => isActiveStrike(strike, settings, now)).length;
}

/**
 * When a block that starts at `start` ends: `block_days` later, but never past one calendar month
 * from the start, both in the school's time zone.
 */
export function blockEnd(start: Date, blockDays: number, timeZone: string): Date {
  const byDays = addCalendarDays(start, blockDays, timeZone);
  const monthCap = addCalendarMonths(start, 1, timeZone);
  return byDays.getTime() <= monthCap.getTime() ? byDays : monthCap;
}

export type StrikeDecision =
  /** Record the strike; `count` is the member's active strikes including this one. */
  | { kind: 'record'; count: number; limit: number; lastBeforeBlock: boolean }
  /** Record the strike and block the member until `until`: the count went past the limit. */
  | { kind: 'block'; count: number; limit: number; until: Date };

/** What a new strike leads to, given the member's strikes so far. */
export function decideStrike(
  previous: readonly StrikeFacts[],
  settings: StrikeSettings,
  now: Date,
  timeZone: string,
): StrikeDecision {
  const count = countActive(previous, settings, now) + 1;
  const limit = settings.strike_limit;
  if (count > limit)
    return { kind: 'block', count, limit, until: blockEnd(now, settings.block_days, timeZone) };
  return { kind: 'record', count, limit, lastBeforeBlock: count === limit };
}

/**
 * Whether revoking a strike (a moderator's mistake) takes a blocked member back under the limit, so the
 * block it caused is lifted as a correction.
 */
export function correctionLiftsBlock(
  activeAfterRevoke: number,
  settings: Pick<StrikeSettings, 'strike_limit'>,
): boolean {
  return activeAfterRevoke <= settings.strike_limit;
}
