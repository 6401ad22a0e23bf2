/**
 * Early reinstatement (regulation 4.13.6): a blocked member apologises to the chat; a moderator opens an
 * objection vote with `/unblock`; at its close no objection lifts the block now, any objection keeps it
 * to its term.
 */
import type { JobSpec } from '../../jobs/scheduler.js';
import type { MemberStatus } from '../../messenger/port.js';
import type { ButtonRoute } from '../../runtime/buttons.js';
import type { Services } from '../../runtime/services.js';
import { apologizeCommand, onApologyChatButton, REINSTATEMENT_BUTTONS } from './apology.js';
import { ballotStanding, onBallotButton, renderPendingVotes } from './ballot.js';
import { closeDueVotes } from './close-votes.js';
import { unblockCommand } from './unblock-command.js';

export { closeVotesAsMoot } from './close-votes.js';
export { reinstatementOutcomes } from './outcomes.js';

export const reinstatementCommands = [apologizeCommand, unblockCommand];

export const reinstatementButtons: ButtonRoute[] = [
  {
    prefix: REINSTATEMENT_BUTTONS.ballot,
    pattern: /^(\d{1,9}):([on])$/,
    prepare: (s, e, [voteId]) => ballotStanding(s, e, Number(voteId)),
    handle: (s, w, e, [voteId, code], status) =>
      onBallotButton(s, w, e, Number(voteId), code ?? '', status as MemberStatus | undefined),
  },
  {
    prefix: REINSTATEMENT_BUTTONS.apologyChat,
    pattern: /^(\d{1,9}):(\d{1,9})$/,
    handle: (s, w, e, [apologyId, blockId]) =>
      onApologyChatButton(s, w, e, Number(apologyId), Number(blockId)),
  },
];

export function reinstatementJobs(
  services: Services,
  due: Pick<JobSpec, 'cron' | 'everySeconds'>,
): JobSpec[] {
  return [
    { name: 'close-due-votes', ...due, runOnStart: true, run: () => closeDueVotes(services) },
    { name: 'render-votes', cron: '* * * * *', everySeconds: 3, run: () => renderPendingVotes(services) },
  ];
}
