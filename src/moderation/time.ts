/**
 * Calendar arithmetic in a named time zone, with the built-in Intl data only: "one calendar month
 * from the block's start" means the same local date and time a month later, clamped to the end of a
 * shorter month (31 January + 1 month = 28 or 29 February).
 */

export interface LocalDateTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock reading in `timeZone` at instant `date`. */
export function toLocal(date: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    millisecond: date.getUTCMilliseconds(),
  };
}

function asUtc(local: LocalDateTime): number {
  return Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
    local.millisecond,
  );
}

/** The zone's offset from UTC at instant `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  return asUtc(toLocal(new Date(ms), timeZone)) - ms;
}

/**
 * The instant a wall-clock reading happens in `timeZone`. A reading repeated by a DST fall-back
 * resolves to its first occurrence; one skipped by a spring-forward jump to the instant just after
 * the jump.
 */
export function fromLocal(local: LocalDateTime, timeZone: string): Date {
  const naive = asUtc(local);
  const HALF_DAY = 12 * 60 * 60 * 1000;
  const before = naive - offsetAt(naive - HALF_DAY, timeZone);
  const after = naive - offsetAt(naive + HALF_DAY, timeZone);
  const matches = [before, after].filter(
    (candidate) => asUtc(toLocal(new Date(candidate), timeZone)) === naive,
  );
  if (matches.length > 0) return new Date(Math.min(...matches));
  return new Date(before);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Same local time `months` calendar months later, the day clamped to the target month's length. */
export function addCalendarMonths(date: Date, months: number, timeZone: string): Date {
  const local = toLocal(date, timeZone);
  const index = local.year * 12 + (local.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return fromLocal({ ...local, year, month, day: Math.min(local.day, daysInMonth(year, month)) }, timeZone);
}

/** Same local time `days` calendar days later. */
export function addCalendarDays(date: Date, days: number, timeZone: string): Date {
  const local = toLocal(date, timeZone);
  const shifted = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
  return fromLocal(
    { ...local, year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() },
    timeZone,
  );
}
