import { describe, expect, it } from 'vitest';
import { outcome } from '../../src/outbox/outcomes.js';
import type { OutcomeHandlers } from '../../src/outbox/worker.js';

describe('typed outbox outcomes', () => {
  it('builds a handler reference with its name and arguments', () => {
    expect(outcome('block.applied', { blockId: 7, announcement: 'text' })).toEqual({
      name: 'block.applied',
      args: { blockId: 7, announcement: 'text' },
    });
  });

  it('refuses at compile time a wrong name, a wrong argument or a missing one', () => {
    // `npm run typecheck` fails if any of these lines compiles: each expected error must be there.
    // @ts-expect-error: no outcome has this name
    outcome('block.aplied', { blockId: 7 });
    // @ts-expect-error: blockId is a number
    outcome('block.applied', { blockId: '7' });
    // @ts-expect-error: vote.posted needs its voteId
    outcome('vote.posted', {});
    // @ts-expect-error: roster.removal takes no blockId
    outcome('roster.removal', { removalId: 1, blockId: 2 });
    expect(true).toBe(true);
  });

  it('makes the app give a handler for every outcome name', () => {
    // @ts-expect-error: an OutcomeHandlers map without 'vote.posted' (and the others) does not compile
    const handlers: OutcomeHandlers = { 'block.applied': {} };
    expect(Object.keys(handlers)).toEqual(['block.applied']);
  });
});
