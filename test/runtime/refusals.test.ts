import { describe, expect, it } from 'vitest';
import { RefusalThrottle } from '../../src/runtime/refusals.js';

describe('refusal answers are rate-limited per person and chat', () => {
  it.each([
    { case: 'two answers a minute, then silence', at: [0, 1, 2, 3], answers: [true, true, false, false] },
    { case: 'a new minute answers again', at: [0, 1, 2, 60_000], answers: [true, true, false, true] },
  ])('$case', ({ at, answers }) => {
    const throttle = new RefusalThrottle();
    expect(at.map((ms) => throttle.take('chat:anna', ms).answer)).toEqual(answers);
  });

  it('tells the next answer how many refusals went unanswered', () => {
    const throttle = new RefusalThrottle();
    for (let n = 0; n < 40; n += 1) throttle.take('chat:anna', n);
    expect(throttle.take('chat:anna', 60_000)).toEqual({ answer: true, suppressed: 38 });
    expect(throttle.take('chat:anna', 60_001)).toEqual({ answer: true, suppressed: 0 });
  });

  it('keeps people apart', () => {
    const throttle = new RefusalThrottle();
    for (let n = 0; n < 3; n += 1) throttle.take('chat:anna', n);
    expect(throttle.take('chat:boris', 3).answer).toBe(true);
  });
});
