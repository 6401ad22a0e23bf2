import { describe, expect, it } from 'vitest';
import { parseQuietHours, quietNight } from '../../src/moderation/assistance/quiet.js';

const hours = parseQuietHours('22:00-07:00');

describe('quiet hours by the local calendar', () => {
  it('parses a range and refuses an empty one', () => {
    expect(hours).toEqual({ start: { hour: 22, minute: 0 }, end: { hour: 7, minute: 0 } });
    expect(parseQuietHours('07:00-07:00')).toBeUndefined();
    expect(parseQuietHours('off')).toBeUndefined();
  });

  it.each([
    ['2026-03-10T21:59:00+03:00', false],
    ['2026-03-10T22:00:00+03:00', true],
    ['2026-03-11T03:00:00+03:00', true],
    ['2026-03-11T06:59:00+03:00', true],
    ['2026-03-11T07:00:00+03:00', false],
    ['2026-03-11T12:00:00+03:00', false],
  ])('in Moscow %s is quiet: %s', (at, quiet) => {
    expect(quietNight(new Date(at), hours!, 'Europe/Moscow') !== undefined).toBe(quiet);
  });

  it('keeps local times across a DST change (London, spring forward and fall back)', () => {
    // 29 March 2026: 01:00 GMT becomes 02:00 BST; the night lasts 8 hours, ends at 07:00 BST.
    const spring = quietNight(new Date('2026-03-29T03:00:00Z'), hours!, 'Europe/London');
    expect(spring?.start.toISOString()).toBe('2026-03-28T22:00:00.000Z');
    expect(spring?.end.toISOString()).toBe('2026-03-29T06:00:00.000Z');
    // 25 October 2026: 02:00 BST becomes 01:00 GMT; the night lasts 10 hours, ends at 07:00 GMT.
    const autumn = quietNight(new Date('2026-10-25T05:00:00Z'), hours!, 'Europe/London');
    expect(autumn?.start.toISOString()).toBe('2026-10-24T21:00:00.000Z');
    expect(autumn?.end.toISOString()).toBe('2026-10-25T07:00:00.000Z');
  });

  it('handles a daytime range', () => {
    const day = parseQuietHours('13:00-14:00');
    expect(quietNight(new Date('2026-03-10T13:30:00+03:00'), day!, 'Europe/Moscow')).toBeDefined();
    expect(quietNight(new Date('2026-03-10T14:30:00+03:00'), day!, 'Europe/Moscow')).toBeUndefined();
  });
});
