import { Temporal } from 'temporal-polyfill';

/**
 * Calendar arithmetic in a named time zone (Temporal): "one calendar month from the block's start" is
 * the same local date and time a month later, clamped to the end of a shorter month (31 January + 1
 * month = 28 or 29 February). A local time a DST change repeats resolves to its first occurrence, one it
 * skips to just after the jump (Temporal's `compatible` disambiguation).
 */

function zoned(date: Date, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(date.getTime()).toZonedDateTimeISO(timeZone);
}

/** Same local time `months` calendar months later, the day clamped to the target month's length. */
export function addCalendarMonths(date: Date, months: number, timeZone: string): Date {
  return new Date(zoned(date, timeZone).add({ months }).epochMilliseconds);
}

/** Same local time `days` calendar days later. */
export function addCalendarDays(date: Date, days: number, timeZone: string): Date {
  return new Date(zoned(date, timeZone).add({ days }).epochMilliseconds);
}
