import { describe, expect, it } from 'vitest';
import { MessengerError } from '../../src/messenger/port.js';
import { retryPlan } from '../../src/outbox/retry.js';

const backoff = { baseMs: 1000, maxMs: 300_000 };
const HOUR = 3600_000;
const members = 'telegram:-100:members';
const fast = 'max:-100:fast';
const server = new MessengerError('SERVER', '502 Bad Gateway');
const rate = (seconds: number) => new MessengerError('RATE_LIMITED', '429', { retryAfterSeconds: seconds });
const rights = new MessengerError('NOT_ENOUGH_RIGHTS', 'not enough rights');

describe('what the outbox does with a refused action', () => {
  it.each([
    // lane, attempts of max, error, age → retry, counts the attempt, delay
    ['a 5xx, attempts left', members, 1, 10, server, 0, true, true, 1000],
    ['a 5xx, backoff doubles', members, 4, 10, server, 0, true, true, 8000],
    ['a 5xx, backoff capped', members, 9, 10, server, 0, true, true, 256_000],
    ['a 5xx on the last attempt', members, 10, 10, server, 0, false, true, 300_000],
    ['a 429: a wait, not an attempt', members, 1, 10, rate(3), 0, true, false, 3000],
    ['a 429 on the last attempt: still a wait', members, 10, 10, rate(1), HOUR, true, false, 300_000],
    ['a 429 of an action a day old counts', members, 10, 10, rate(1), 25 * HOUR, false, true, 300_000],
    ['a 429 in the fast lane counts, its second is no wait', fast, 1, 3, rate(1), 0, true, true, 200],
    ['a 429 in the fast lane, last attempt', fast, 3, 3, rate(1), 0, false, true, 200],
    ['a longer 429 in the fast lane is waited', fast, 2, 3, rate(5), 0, true, true, 5000],
    ['a refusal is final at once', members, 1, 10, rights, 0, false, true, 1000],
  ] as const)('%s', (_, lane, attempts, max, error, age, retry, counts, delayMs) => {
    expect(retryPlan({ lane, attempts, max_attempts: max }, error, age, backoff)).toEqual({
      retry,
      counts,
      delayMs,
    });
  });
});
