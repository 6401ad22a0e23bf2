import { Temporal } from 'temporal-polyfill';

/**
 * Quiet hours (pure): `22:00-07:00` in the school's time zone. Whether a moment falls inside them is
 * worked out from the local calendar each time (Temporal), so a DST change or a restart never shifts
 * them: a local time a change skips resolves to just after the jump, one it repeats to its first
 * occurrence.
 */

export interface QuietHours {
  start: { hour: number; minute: number };
  end: { hour: number; minute: number };
}

export function parseQuietHours(value: string): QuietHours | undefined {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [, sh, sm, eh, em] = match.map(Number) as [number, number, number, number, number];
  if (sh === eh && sm === em) return undefined;
  return { start: { hour: sh, minute: sm }, end: { hour: eh, minute: em } };
}

function at(date: Temporal.PlainDate, time: { hour: number; minute: number }, timeZone: string): number {
  return date.toPlainDateTime(time).toZonedDateTime(timeZone, { disambiguation: 'compatible' })
    .epochMilliseconds;
}

/** The quiet night `now` falls in: its start and end, or undefined outside quiet hours. */
export function quietNight(
  now: Date,
  hours: QuietHours,
  timeZone: string,
): { start: Date; end: Date } | undefined {
  const today = Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate();
  const overnight = hours.end.hour * 60 + hours.end.minute <= hours.start.hour * 60 + hours.start.minute;
  for (const startDay of [today, today.subtract({ days: 1 })]) {
    const start = at(startDay, hours.start, timeZone);
    const end = at(overnight ? startDay.add({ days: 1 }) : startDay, hours.end, timeZone);
    if (now.getTime() >= start && now.getTime() < end) return { start: new Date(start), end: new Date(end) };
  }
  return undefined;
}
