/**
 * The roster (regulation 4.13.8, 4.11.2): the school's information system (or its secretary's CSV
 * files) tells the bot who is enrolled; departed students, their families and departed employees are
 * removed from the school's chats; personal invitations link accounts to roster people.
 */
import type { JobSpec } from '../../jobs/scheduler.js';
import type { Services } from '../../runtime/services.js';
import { expireInvitations, invitationOutcomes } from './invitations.js';
import { linkCommand } from './link-command.js';
import { removalOutcomes } from './removals.js';

export { type ApplyResult, applyRosterEvents } from './apply.js';
export { readRosterCsv } from './csv.js';
export { claimInvitation, createInvitation, deepLink } from './invitations.js';
export { removedByRoster } from './removals.js';
export { describeIssues, type RosterEvent, type Snapshot, SnapshotSchema } from './schemas.js';
export { snapshotEvents } from './snapshot.js';
export { EventsBatchSchema, validateEvents } from './validate.js';

export const rosterCommands = [linkCommand];

export function rosterOutcomes(services: Services) {
  return { ...removalOutcomes(services), ...invitationOutcomes(services) };
}

export function rosterJobs(services: Services): JobSpec[] {
  return [
    {
      name: 'expire-invitations',
      cron: '7 * * * *',
      runOnStart: true,
      run: () => expireInvitations(services),
    },
  ];
}
