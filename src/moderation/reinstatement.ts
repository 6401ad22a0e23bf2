import { Temporal } from 'temporal-polyfill';

/**
 * Early reinstatement (regulation 4.13.6): the moderator may unblock a member early if they apologised
 * to the chat's members and none of them objects. Pure: the vote's outcome from its ballots.
 */

export type Choice = 'object' | 'no_objection';

/** How a vote ended: the block lifted, kept to its term, or moot (the block ended first). */
export type VoteOutcome = 'unblocked' | 'kept' | 'moot';

export interface BallotEvent {
  voterId: number;
  choice: Choice;
}

export interface Tally {
  objections: number;
  noObjections: number;
}

/**
 * Counts a vote: one vote per eligible member, the latest choice counting (a vote can be changed until
 * the close); presses by anyone else — including the blocked member — count for nothing.
 */
export function tally(
  events: readonly BallotEvent[],
  eligible: ReadonlySet<number>,
  blockedId: number,
): Tally {
  const latest = new Map<number, Choice>();
  for (const event of events) {
    if (event.voterId === blockedId || !eligible.has(event.voterId)) continue;
    latest.set(event.voterId, event.choice);
  }
  let objections = 0;
  for (const choice of latest.values()) if (choice === 'object') objections += 1;
  return { objections, noObjections: latest.size - objections };
}

/** Zero objections lift the block now; a single objection keeps it to its term. Silence is no objection. */
export function voteOutcome(result: Tally): 'unblock' | 'keep' {
  return result.objections === 0 ? 'unblock' : 'keep';
}

export type Eligibility = 'eligible' | 'blocked_member' | 'not_member_at_open';

/** Who may vote: members of the chat when the vote opened, other than the blocked member. */
export function eligibility(voterId: number, eligible: ReadonlySet<number>, blockedId: number): Eligibility {
  if (voterId === blockedId) return 'blocked_member';
  return eligible.has(voterId) ? 'eligible' : 'not_member_at_open';
}

/** A vote never closes at night: silence between 22:00 and 08:00 is not consent (4.13.6). */
export const NIGHT = { startsAtHour: 22, endsAtHour: 8 } as const;

/**
 * When a vote opened at `openedAt` for `hours` closes: then, unless that falls between 22:00 and 08:00
 * in the school's time zone, in which case at 08:00 the next morning.
 */
export function voteCloses(openedAt: Date, hours: number, timeZone: string): Date {
  const due = Temporal.Instant.fromEpochMilliseconds(
    openedAt.getTime() + hours * 3_600_000,
  ).toZonedDateTimeISO(timeZone);
  const morning = (day: Temporal.ZonedDateTime) =>
    day.with({ hour: NIGHT.endsAtHour, minute: 0, second: 0, millisecond: 0, microsecond: 0, nanosecond: 0 });
  if (due.hour >= NIGHT.startsAtHour) return new Date(morning(due.add({ days: 1 })).epochMilliseconds);
  if (due.hour < NIGHT.endsAtHour) return new Date(morning(due).epochMilliseconds);
  return new Date(due.epochMilliseconds);
}
