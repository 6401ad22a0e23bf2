import { describe, expect, it } from 'vitest';
import { type BallotEvent, eligibility, tally, voteOutcome } from '../../src/moderation/reinstatement.js';

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
