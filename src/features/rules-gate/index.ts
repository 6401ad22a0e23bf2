/**
 * The rules gate (regulation 4.13.3): before a person is included in the chat, they are acquainted with
 * its rules. Join requests wait for the applicant to accept the rules privately; anyone arriving another
 * way is greeted with the rules and stays read-only until they accept. Every acceptance is kept as proof.
 */
import type { JobSpec } from '../../jobs/scheduler.js';
import type { ButtonRoute } from '../../runtime/buttons.js';
import type { Services } from '../../runtime/services.js';
import { admissionStanding, onAdmissionButton } from './admission.js';
import { GATE_BUTTONS } from './buttons.js';
import { onConfirmButton } from './confirm.js';
import { onGreetingButton } from './greeting.js';
import { inviteCommand, inviteOutcomes } from './invite-command.js';
import { expireJoinRequests, onRequestButton } from './join-requests.js';
import { gateOutcomes } from './outcomes.js';

export { admitNewcomers, onNewcomerLeft } from './greeting.js';
export { onJoinRequest } from './join-requests.js';

export const rulesGateCommands = [inviteCommand];

const ID = /^(\d{1,9})$/;

export const rulesGateButtons: ButtonRoute[] = [
  {
    prefix: GATE_BUTTONS.request,
    pattern: ID,
    handle: (s, w, e, [id]) => onRequestButton(s, w, e, Number(id)),
  },
  {
    prefix: GATE_BUTTONS.greeting,
    pattern: ID,
    handle: (s, w, e, [id]) => onGreetingButton(s, w, e, Number(id)),
  },
  {
    prefix: GATE_BUTTONS.confirm,
    pattern: ID,
    handle: (s, w, e, [id]) => onConfirmButton(s, w, e, Number(id)),
  },
  {
    prefix: GATE_BUTTONS.admission,
    pattern: /^([re])(\d{1,9}):([ad])$/,
    prepare: (s, e, [kind, id]) => admissionStanding(s, e, admissionKind(kind), Number(id)),
    handle: (s, w, e, [kind, id, decision], isModerator) =>
      onAdmissionButton(s, w, e, admissionKind(kind), Number(id), decision === 'a', isModerator === true),
  },
];

function admissionKind(letter: string | undefined) {
  return letter === 'r' ? ('request' as const) : ('entry' as const);
}

export function rulesGateOutcomes(services: Services) {
  return { ...gateOutcomes(services), ...inviteOutcomes(services) };
}

export function rulesGateJobs(services: Services, due: Pick<JobSpec, 'cron' | 'everySeconds'>): JobSpec[] {
  return [
    { name: 'expire-join-requests', ...due, runOnStart: true, run: () => expireJoinRequests(services) },
  ];
}
