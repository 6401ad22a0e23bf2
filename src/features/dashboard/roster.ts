import { createDashboardRosterRepository, type DepartureRow } from '../../db/repos/dashboard-roster.js';
import type { Services } from '../../runtime/services.js';

/** The school's roster as the dashboard shows it (4.11.2): whom to invite, invitations, departures. */
export async function rosterPage(services: Services, schoolId: number) {
  const repo = createDashboardRosterRepository(services.db);
  const uninvited = await repo.uninvited(schoolId);
  const invitations = await repo.openInvitations(schoolId, services.clock.now());
  const departures = new Map<
    number,
    { person: DepartureRow; removals: Array<{ chat: string; status: string }> }
  >();
  for (const row of await repo.departures(schoolId)) {
    const entry = departures.get(row.personId) ?? { person: row, removals: [] };
    if (row.removalStatus) entry.removals.push({ chat: row.chatTitle ?? '', status: row.removalStatus });
    departures.set(row.personId, entry);
  }
  return { uninvited, invitations, departures: [...departures.values()] };
}
