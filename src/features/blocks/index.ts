/**
 * Blocks (regulation 4.13.5, 4.13.7): the strike past the chat's limit blocks the member — read-only
 * (`mute`) or removed (`ban`) — for `block_days`, never past a month; a scheduled job lifts each block
 * when its term ends; a member who comes back during the term is blocked again.
 */
import type { JobSpec } from '../../jobs/scheduler.js';
import type { Services } from '../../runtime/services.js';
import { liftDueBlocks } from './lift.js';

export { BLOCK_START_PAYLOAD, blockMember, blocksNotice, memberTexts } from './block-member.js';
export { reapplyOnRejoin, startLift, termEndedText } from './lift.js';
export { type AfterLift, blockOutcomes } from './outcomes.js';
export { onMessageSuppressed } from './suppressed.js';

export function blocksJobs(services: Services, due: Pick<JobSpec, 'cron' | 'everySeconds'>): JobSpec[] {
  return [{ name: 'lift-due-blocks', ...due, runOnStart: true, run: () => liftDueBlocks(services) }];
}
