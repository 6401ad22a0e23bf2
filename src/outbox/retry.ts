import type { MessengerError } from '../messenger/port.js';
import { FAST_LANE_SUFFIX } from './enqueue.js';

/**
 * A fast lane's action refused for a passing reason is tried again this soon (three times as long after
 * the fourth try): MAX's per-chat deletion window frees within a second.
 */
const FAST_RETRY_MS = 200;
/** How long an action's 429s are waits that use up no attempt (then they count, so an action ends). */
const WAIT_ONLY_FOR_MS = 24 * 3600_000;

export interface Backoff {
  /** The first retry's pause; doubles per attempt up to `maxMs`. */
  baseMs: number;
  maxMs: number;
}

/**
 * What to do with an action the platform refused: try again (when, and whether the try counted against
 * its attempts) or record it as failed. A 429 says "wait", not "failed": outside the fast lane it uses up
 * no attempt (under a busy, flaky API the refusals would otherwise spend an action's attempts on
 * waiting), until the action is a day old.
 */
export function retryPlan(
  row: { attempts: number; max_attempts: number; lane: string },
  error: MessengerError,
  ageMs: number,
  backoff: Backoff,
): { retry: boolean; counts: boolean; delayMs: number } {
  const fast = row.lane.endsWith(FAST_LANE_SUFFIX);
  const waitOnly = error.code === 'RATE_LIMITED' && !fast && ageMs < WAIT_ONLY_FOR_MS;
  const retry = error.retryable && (waitOnly || row.attempts < row.max_attempts);
  const pause = fast
    ? FAST_RETRY_MS * (row.attempts <= 4 ? 1 : 3)
    : Math.min(backoff.maxMs, backoff.baseMs * 2 ** (row.attempts - 1));
  const retryAfter = (error.details.retryAfterSeconds ?? 0) * 1000;
  // A fast lane takes a retry-after of a second as the rate window it is (MAX sends none; the connector
  // says a second), not as a wait: the window frees within it.
  const delayMs = Math.max(pause, fast && retryAfter <= 1000 ? 0 : retryAfter);
  return { retry, counts: !waitOnly, delayMs };
}
