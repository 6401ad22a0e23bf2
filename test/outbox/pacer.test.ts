import { describe, expect, it } from 'vitest';
import { Pacer, TELEGRAM_LIMITS } from '../../src/outbox/pacer.js';

/** Plays `sends` ([ms, lane, group]) through a pacer; returns each wait (0 = sent then). */
function play(sends: Array<[number, string, boolean]>): number[] {
  let now = 0;
  const pacer = new Pacer(TELEGRAM_LIMITS, () => now);
  return sends.map(([at, lane, group]) => {
    now = at;
    return pacer.reserve(lane, group);
  });
}

describe('Pacer keeps sends inside Telegram’s limits, with a 1% margin', () => {
  it.each([
    {
      case: '30 chats at once fit; the 31st waits for the second to pass',
      sends: Array.from({ length: 31 }, (_, n) => [0, `c${n}`, true] as [number, string, boolean]),
      waits: [...Array(30).fill(0), 1010],
    },
    {
      case: 'a second message to one chat waits a second',
      sends: [
        [0, 'a', true],
        [500, 'a', true],
        [1010, 'a', true],
      ] as Array<[number, string, boolean]>,
      waits: [0, 510, 0],
    },
    {
      case: 'a private chat has the one-a-second limit too',
      sends: [
        [0, 'p', false],
        [10, 'p', false],
      ] as Array<[number, string, boolean]>,
      waits: [0, 1000],
    },
    {
      case: 'a group gets 20 a minute; the 21st waits for the first to leave the window',
      sends: Array.from({ length: 21 }, (_, n) => [n * 1100, 'g', true] as [number, string, boolean]),
      waits: [...Array(20).fill(0), 60_600 - 20 * 1100],
    },
    {
      case: 'a private chat has no per-minute limit',
      sends: Array.from({ length: 25 }, (_, n) => [n * 1100, 'p', false] as [number, string, boolean]),
      waits: Array(25).fill(0),
    },
  ])('$case', ({ sends, waits }) => {
    expect(play(sends)).toEqual(waits);
  });

  it('takes no slot while asking to wait, and paces nothing without limits', () => {
    let now = 0;
    const pacer = new Pacer(TELEGRAM_LIMITS, () => now);
    expect(pacer.reserve('a', true)).toBe(0);
    expect(pacer.reserve('a', true)).toBe(1010);
    now = 1010;
    expect(pacer.reserve('a', true)).toBe(0);
    const free = new Pacer(null);
    expect(Array.from({ length: 100 }, () => free.reserve('a', true))).toEqual(Array(100).fill(0));
  });

  it('counts a send not yet answered as happening now, and from its answer once answered', () => {
    // The platform counts a message when it arrives: on a busy machine that may be long after it was sent.
    let now = 0;
    const pacer = new Pacer(TELEGRAM_LIMITS, () => now);
    const answered = pacer.record('a', true);
    now = 2000;
    expect(pacer.delay('a', true)).toBe(1010);
    now = 2500;
    answered();
    now = 3000;
    expect(pacer.delay('a', true)).toBe(510);
    now = 3510;
    expect(pacer.delay('a', true)).toBe(0);
  });
});
