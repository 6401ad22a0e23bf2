import { createAuditRepository } from '../../db/repos/audit.js';
import { createDashboardViewsRepository } from '../../db/repos/dashboard-views.js';
import type { Action } from '../../outbox/actions.js';
import type { OutcomeRef } from '../../outbox/outcomes.js';
import type { Services } from '../../runtime/services.js';
import type { Viewer } from './access.js';

const FAILED_LIMIT = 200;

/** Platform actions that failed for good in the viewer's chats (or one of them), newest first. */
export async function failedActions(services: Services, viewer: Viewer, chatId?: number) {
  const chatIds = chatId === undefined ? viewer.chatIds : viewer.chatIds.filter((id) => id === chatId);
  const rows = await createDashboardViewsRepository(services.db).failedActions(chatIds, FAILED_LIMIT);
  return rows.map((row) => ({ ...row, type: (row.action as Action).type }));
}

export type RetryResult = 'retried' | 'already' | 'not_found';

/**
 * Queues a failed action again, through the outbox as any action, with the outcomes it had: the old one
 * leaves the failed list (cancelled), the retry is in the audit log. Another viewer's action is not found.
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
    if (!(await views.markRetried(row.id, work.now))) return 'already';
    const id = await work.enqueue(row.action as Action, {
      lane: row.lane,
      chatId: row.chatId,
      ...(row.onDone ? { onDone: row.onDone as OutcomeRef } : {}),
      ...(row.onFailed ? { onFailed: row.onFailed as OutcomeRef } : {}),
    });
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
