import { describe, expect, it } from 'vitest';
import {
  type BallotEvent,
  eligibility,
  tally,
  voteCloses,
  voteOutcome,
} from '../../src/moderation/reinstatement.js';

const BLOCKED = 1;
const eligible = new Set([2, 3, 4, 5, 6]);
const vote = (voterId: number, choice: BallotEvent['choice']): BallotEvent => ({ voterId, choice });

describe('4.13.6 early reinstatement: the objection vote', () => {
  it.each([
    { name: 'no votes at all', events: [], expected: { objections: 0, noObjections: 0 }, outcome: 'unblock' },
    {
      name: 'only "no objection"',
      events: [vote(2, 'no_objection'), vote(3, 'no_objection'), vote(4, 'no_objection')],
      expected: { objections: 0, noObjections: 3 },
      outcome: 'unblock',
    },
    {
      name: 'one objection among many',
      events: [vote(2, 'no_objection'), vote(3, 'no_objection'), vote(4, 'object'), vote(5, 'no_objection')],
      expected: { objections: 1, noObjections: 3 },
      outcome: 'keep',
    },
    {
      name: 'an objection changed to no objection',
      events: [vote(2, 'object'), vote(3, 'no_objection'), vote(2, 'no_objection')],
      expected: { objections: 0, noObjections: 2 },
      outcome: 'unblock',
    },
    {
      name: 'no objection changed to an objection',
      events: [vote(2, 'no_objection'), vote(2, 'object')],
      expected: { objections: 1, noObjections: 0 },
      outcome: 'keep',
    },
    {
      name: 'an objection by someone who joined after the vote opened',
      events: [vote(2, 'no_objection'), vote(99, 'object')],
      expected: { objections: 0, noObjections: 1 },
      outcome: 'unblock',
    },
    {
      name: 'the blocked member voting for themselves',
      events: [vote(BLOCKED, 'no_objection'), vote(2, 'object')],
      expected: { objections: 1, noObjections: 0 },
      outcome: 'keep',
    },
    {
      name: 'the same voter pressing the same button twice',
      events: [vote(3, 'no_objection'), vote(3, 'no_objection')],
      expected: { objections: 0, noObjections: 1 },
      outcome: 'unblock',
    },
  ])('$name → $outcome', ({ events, expected, outcome }) => {
    const result = tally(events as BallotEvent[], eligible, BLOCKED);
    expect(result).toEqual(expected);
    expect(voteOutcome(result)).toBe(outcome);
  });

  it.each([
    [2, 'eligible'],
    [BLOCKED, 'blocked_member'],
    [99, 'not_member_at_open'],
  ])('voter %i is %s', (voterId, expected) => {
    expect(eligibility(voterId, eligible, BLOCKED)).toBe(expected);
  });
});

describe('4.13.6 a vote never closes at night (Moscow time)', () => {
  it.each([
    // opened (UTC)                hours  closes (UTC)                    why
    ['2026-12-01T09:00:00.000Z', 24, '2026-12-02T09:00:00.000Z', '12:00 Moscow: daytime, as is'],
    ['2026-12-01T16:00:00.000Z', 24, '2026-12-02T16:00:00.000Z', '19:00: still day'],
    ['2026-12-01T18:59:00.000Z', 24, '2026-12-02T18:59:00.000Z', '21:59: the last minute of the day'],
    ['2026-12-01T19:00:00.000Z', 24, '2026-12-03T05:00:00.000Z', '22:00: night, the next morning at 08:00'],
    ['2026-12-01T22:30:00.000Z', 24, '2026-12-03T05:00:00.000Z', '01:30: night, this morning at 08:00'],
    ['2026-12-01T04:59:00.000Z', 24, '2026-12-02T05:00:00.000Z', '07:59: a minute before morning'],
    ['2026-12-01T05:00:00.000Z', 12, '2026-12-01T17:00:00.000Z', '08:00 + 12 h = 20:00'],
    ['2026-12-01T08:00:00.000Z', 12, '2026-12-02T05:00:00.000Z', '11:00 + 12 h = 23:00 → 08:00'],
  ])('opened %s for %i h → closes %s (%s)', (opened, hours, closes) => {
    expect(voteCloses(new Date(opened), hours, 'Europe/Moscow').toISOString()).toBe(closes);
  });
});
