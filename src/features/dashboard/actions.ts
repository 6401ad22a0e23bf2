import { createAuditRepository } from '../../db/repos/audit.js';
import { createDashboardViewsRepository } from '../../db/repos/dashboard-views.js';
import type { Action } from '../../outbox/actions.js';
import type { Services } from '../../runtime/services.js';
import type { Viewer } from './access.js';

const FAILED_LIMIT = 200;

/** Platform actions that failed for good in the viewer's chats (or one of them), newest first. */
export async function failedActions(services: Services, viewer: Viewer, chatId?: number) {
  const chatIds = chatId === undefined ? viewer.chatIds : viewer.chatIds.filter((id) => id === chatId);
  const rows = await createDashboardViewsRepository(services.db).failedActions(chatIds, FAILED_LIMIT);
  return rows.map(({ hasOutcome, ...row }) => ({
    ...row,
    type: (row.action as Action).type,
    retryable: !isTrue(hasOutcome),
  }));
}

const isTrue = (value: unknown) => value === true || value === 't';

export type RetryResult = 'retried' | 'already' | 'not_found' | 'not_retryable';

/**
 * Queues a failed action again, through the outbox as any action: the old one leaves the failed list
 * (cancelled), the retry is in the audit log. Another viewer's action is not found. Only an action that
 * is the whole of its effect (a message, a deletion) is retried here: one with an outcome (a block, a
 * removal) has had its failure recorded already (the block failed, the strikes count again), and a mute
 * performed now would be a block no record knows of, never lifted — the moderator decides it again.
 */
export async function retryAction(
  services: Services,
  viewer: Viewer,
  outboxId: number,
): Promise<RetryResult> {
  return services.transact(async (work) => {
    const views = createDashboardViewsRepository(work.tx);
    const row = await views.outboxRow(outboxId);
    if (!row || row.chatId === null || !viewer.chatIds.includes(row.chatId)) return 'not_found';
    if (row.onDone || row.onFailed) return 'not_retryable';
    if (!(await views.markRetried(row.id, work.now))) return 'already';
    const id = await work.enqueue(row.action as Action, { lane: row.lane, chatId: row.chatId });
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId: viewer.schoolId,
      chatId: row.chatId,
      actorKind: viewer.role === 'moderator' ? 'moderator' : 'roster',
      actorAccountId: viewer.accountId,
      actorName: viewer.name,
      action: 'action_retried',
      details: { failedOutboxId: row.id, outboxId: id, type: (row.action as Action).type },
    });
    return 'retried';
  });
}
