import { describe, expect, it } from 'vitest';
import {
  blockEnd,
  correctionLiftsBlock,
  countActive,
  decideStrike,
  isActiveStrike,
  type StrikeFacts,
} from '../../src/moderation/strikes.js';
import { addCalendarDays, addCalendarMonths } from '../../src/moderation/time.js';

const MSK = 'Europe/Moscow';
const settings = { strike_limit: 3, block_days: 7, strike_days: 365 };
const now = new Date('2026-11-29T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600 * 1000);
const strike = (overrides: Partial<StrikeFacts> = {}): StrikeFacts => ({
  createdAt: daysAgo(1),
  revokedAt: null,
  block: null,
  ...overrides,
});

describe('4.13.5 strikes and blocks: which strikes count', () => {
  it.each([
    { name: 'a fresh strike', facts: strike(), active: true },
    { name: 'a revoked strike', facts: strike({ revokedAt: daysAgo(0) }), active: false },
    {
      name: 'a strike consumed by a block that ended',
      facts: strike({ block: { ended: true } }),
      active: false,
    },
    {
      name: 'a strike behind a block still running',
      facts: strike({ block: { ended: false } }),
      active: true,
    },
    { name: 'a strike 364 days old', facts: strike({ createdAt: daysAgo(364) }), active: true },
    { name: 'a strike exactly 365 days old', facts: strike({ createdAt: daysAgo(365) }), active: false },
    { name: 'a strike 400 days old', facts: strike({ createdAt: daysAgo(400) }), active: false },
  ])('$name → active: $active', ({ facts, active }) => {
    expect(isActiveStrike(facts, settings, now)).toBe(active);
  });

  it('honours the chat’s strike_days', () => {
    expect(isActiveStrike(strike({ createdAt: daysAgo(31) }), { strike_days: 30 }, now)).toBe(false);
    expect(isActiveStrike(strike({ createdAt: daysAgo(29) }), { strike_days: 30 }, now)).toBe(true);
  });

  it('counts only active strikes', () => {
    const facts = [
      strike(),
      strike({ revokedAt: now }),
      strike({ block: { ended: true } }),
      strike(),
      strike({ createdAt: daysAgo(500) }),
    ];
    expect(countActive(facts, settings, now)).toBe(2);
  });
});

describe('4.13.5 strikes and blocks: what a new strike leads to', () => {
  it.each([
    { active: 0, limit: 3, expected: { kind: 'record', count: 1, lastBeforeBlock: false } },
    { active: 1, limit: 3, expected: { kind: 'record', count: 2, lastBeforeBlock: false } },
    { active: 2, limit: 3, expected: { kind: 'record', count: 3, lastBeforeBlock: true } },
    { active: 3, limit: 3, expected: { kind: 'block', count: 4 } },
    { active: 0, limit: 1, expected: { kind: 'record', count: 1, lastBeforeBlock: true } },
    { active: 1, limit: 1, expected: { kind: 'block', count: 2 } },
    { active: 5, limit: 5, expected: { kind: 'block', count: 6 } },
  ])('$active active, limit $limit → $expected.kind', ({ active, limit, expected }) => {
    const previous = Array.from({ length: active }, () => strike());
    expect(decideStrike(previous, { ...settings, strike_limit: limit }, now, MSK)).toMatchObject({
      ...expected,
      limit,
    });
  });

  it('ignores revoked, expired and consumed strikes when deciding', () => {
    const previous = [
      strike(),
      strike(),
      strike({ revokedAt: now }),
      strike({ createdAt: daysAgo(400) }),
      strike({ block: { ended: true } }),
    ];
    expect(decideStrike(previous, settings, now, MSK)).toMatchObject({ kind: 'record', count: 3 });
  });

  it('blocks for block_days from now', () => {
    const decision = decideStrike([strike(), strike(), strike()], settings, now, MSK);
    expect(decision.kind === 'block' && decision.until.toISOString()).toBe('2026-12-06T12:00:00.000Z');
  });
});

describe('4.13.5 strikes and blocks: the term is block_days, never past one calendar month (Moscow time)', () => {
  it.each([
    // start (UTC)                 days  end (UTC)                       why
    ['2026-11-29T12:00:00.000Z', 7, '2026-12-06T12:00:00.000Z', 'seven days'],
    ['2026-11-29T12:00:00.000Z', 1, '2026-11-30T12:00:00.000Z', 'one day'],
    ['2026-01-31T09:00:00.000Z', 31, '2026-02-28T09:00:00.000Z', '31 Jan + 1 month = 28 Feb'],
    ['2028-01-31T09:00:00.000Z', 31, '2028-02-29T09:00:00.000Z', '31 Jan + 1 month = 29 Feb in a leap year'],
    ['2026-01-31T09:00:00.000Z', 28, '2026-02-28T09:00:00.000Z', '28 days reach the cap exactly'],
    ['2026-02-01T09:00:00.000Z', 31, '2026-03-01T09:00:00.000Z', '1 Feb + 1 month = 1 Mar, before 31 days'],
    ['2026-03-31T09:00:00.000Z', 31, '2026-04-30T09:00:00.000Z', '31 Mar + 1 month = 30 Apr'],
    ['2026-12-15T20:00:00.000Z', 31, '2027-01-15T20:00:00.000Z', 'across the new year'],
    ['2026-07-10T10:00:00.000Z', 31, '2026-08-10T10:00:00.000Z', 'July has 31 days: the month caps at 31'],
    // 22:30 UTC on 31 Jan is 01:30 on 1 Feb in Moscow: the month is counted from Moscow's date.
    ['2026-01-31T22:30:00.000Z', 31, '2026-02-28T22:30:00.000Z', 'the local date, not the UTC date, counts'],
    [
      '2026-01-30T21:30:00.000Z',
      31,
      '2026-02-27T21:30:00.000Z',
      '00:30 on 31 Jan in Moscow → 00:30 on 28 Feb',
    ],
  ])('%s + %i days → %s (%s)', (start, days, end) => {
    expect(blockEnd(new Date(start), days, MSK).toISOString()).toBe(end);
  });

  it('never ends more than 31 days after it starts', () => {
    for (let day = 0; day < 400; day += 1) {
      const start = new Date(Date.UTC(2026, 0, 1, 10) + day * 24 * 3600 * 1000);
      const end = blockEnd(start, 31, MSK);
      expect(end.getTime() - start.getTime()).toBeLessThanOrEqual(31 * 24 * 3600 * 1000);
      expect(end.getTime()).toBeGreaterThan(start.getTime());
    }
  });
});

describe('4.13.5 strikes and blocks: calendar arithmetic in a time zone, for block terms', () => {
  it('adds days as calendar days across a DST change (Berlin, 29 March 2026)', () => {
    // 12:00 CET on 28 March → 12:00 CEST on 29 March: 23 hours later.
    expect(addCalendarDays(new Date('2026-03-28T11:00:00Z'), 1, 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T10:00:00.000Z',
    );
    expect(addCalendarMonths(new Date('2026-03-15T11:00:00Z'), 1, 'Europe/Berlin').toISOString()).toBe(
      '2026-04-15T10:00:00.000Z',
    );
  });

  it.each([
    // 02:30 on 25 October happens twice in Berlin: the first (summer time) one counts.
    ['2026-10-24T00:30:00Z', '2026-10-25T00:30:00.000Z', 'a repeated reading → its first occurrence'],
    // 02:30 on 29 March does not happen in Berlin: the instant just after the jump (03:30 CEST).
    ['2026-03-28T01:30:00Z', '2026-03-29T01:30:00.000Z', 'a skipped reading → just after the jump'],
  ])('%s + 1 day in Berlin → %s (%s)', (start, end) => {
    expect(addCalendarDays(new Date(start), 1, 'Europe/Berlin').toISOString()).toBe(end);
  });
});

describe('4.13.5 strikes and blocks: correcting a block', () => {
  it.each([
    { after: 3, limit: 3, lifts: true },
    { after: 2, limit: 3, lifts: true },
    { after: 4, limit: 3, lifts: false },
  ])('$after active after the revocation, limit $limit → lifts: $lifts', ({ after, limit, lifts }) => {
    expect(correctionLiftsBlock(after, { strike_limit: limit })).toBe(lifts);
  });
});
