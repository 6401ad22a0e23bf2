/**
 * Help for the moderator (4.13.2, 4.13.4, 4.13.7): every group message is checked locally; a flagged one
 * becomes a private suggestion to the chat's moderators with «Предупреждение по правилу N», «Удалить»,
 * «Не нарушение». Nothing here sanctions anyone by itself.
 */
import { createAssistanceRepository } from '../../db/repos/assistance.js';
import type { JobSpec } from '../../jobs/scheduler.js';
import type { Services } from '../../runtime/services.js';
import { reconcileQuietHours } from './quiet.js';

export { assistanceButtons } from './buttons.js';
export { checkGroupMessage } from './flag.js';
export { reconcileQuietChat } from './quiet.js';

/** Suggestions stay open 48 hours; then their excerpts are erased. */
export const SUGGESTION_OPEN_MS = 48 * 60 * 60 * 1000;

export async function expireSuggestions(services: Services): Promise<number> {
  return services.transact(async (work) => {
    return createAssistanceRepository(work.tx).expire(
      new Date(work.now.getTime() - SUGGESTION_OPEN_MS),
      work.now,
    );
  });
}

export function assistanceJobs(services: Services, due: Pick<JobSpec, 'cron' | 'everySeconds'>): JobSpec[] {
  return [
    { name: 'expire-flag-suggestions', ...due, runOnStart: true, run: () => expireSuggestions(services) },
    { name: 'quiet-hours', ...due, runOnStart: true, run: () => reconcileQuietHours(services) },
  ];
}
