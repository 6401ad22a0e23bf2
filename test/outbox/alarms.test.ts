import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Alarms } from '../../src/outbox/alarms.js';

/** When the outbox looks for work again after putting actions back: one timer, the earliest time. */
describe('alarms for put-back actions', () => {
  let rings: number[];
  let alarms: Alarms;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    rings = [];
    alarms = new Alarms(() => rings.push(Date.now()), 10);
  });
  afterEach(() => {
    alarms.clear();
    vi.useRealTimers();
  });

  it.each([
    { asked: [100], rings: [100] },
    // Within the granularity of each other: one ring serves both.
    { asked: [101, 105, 110], rings: [110] },
    // Asked out of order: each rings in time, earliest first.
    { asked: [300, 100, 200], rings: [100, 200, 300] },
    // The same time asked twice rings once.
    { asked: [50, 50], rings: [50] },
  ])('asked for $asked rings at $rings', ({ asked, rings: expected }) => {
    for (const time of asked) alarms.at(time);
    vi.advanceTimersByTime(1000);
    expect(rings).toEqual(expected);
  });

  it('keeps a single timer however many times are pending', () => {
    for (let time = 10; time <= 1000; time += 10) alarms.at(time);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(rings).toHaveLength(100);
  });

  it('rings no more once cleared (the worker stopped)', () => {
    alarms.at(100);
    alarms.clear();
    vi.advanceTimersByTime(1000);
    expect(rings).toEqual([]);
  });
});
