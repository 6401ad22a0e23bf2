import { and, count, eq, gt, inArray, sql } from 'drizzle-orm';
import { type Tx, timestamp } from '../../db/client.js';
import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { auditLog, blocks, votes } from '../../db/schema.js';
import type { Action } from '../../outbox/actions.js';
import { type ActionError, enqueue, type OutboxEvents, outboxDepth } from '../../outbox/outbox.js';
import { displayName } from '../../runtime/format.js';
import type { Core } from '../../runtime/services.js';

/** Actions whose failure the chat's moderators should hear about (their own outcome handlers aside). */
const REPORTED = new Set<Action['type']>([
  'mute',
  'unmute',
  'ban',
  'unban',
  'approve_join',
  'decline_join',
  'delete',
]);
/** At most one report per chat in this window, so missing rights do not flood the chat. */
const REPORT_WINDOW_MS = 60 * 60_000;

/**
 * What the outbox tells the core about outcomes: counted for /metrics; a final failure is written to
 * the audit log and reported to the chat's moderators once (per chat and hour).
 */
export function outboxEvents(core: Core): OutboxEvents {
  return {
    onOutcome(action, outcome) {
      core.metrics.inc('ccm_actions_total', 'Platform actions performed, by type and outcome.', {
        type: action.type,
        outcome,
      });
    },
    async onFinalFailure(tx, row) {
      core.log.error(
        { outboxId: row.id, action: row.action.type, code: row.error.code },
        'a platform action failed for good',
      );
      if (row.chatId === null) return;
      const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(row.chatId);
      if (!chat) return;
      const now = core.clock.now();
      const reported =
        REPORTED.has(row.action.type) && !row.handled && !(await reportedRecently(tx, chat.id, now));
      await createAuditRepository(tx).append({
        at: now,
        schoolId: chat.schoolId,
        chatId: chat.id,
        actorKind: 'system',
        action: 'action_failed',
        details: {
          outboxId: row.id,
          action: row.action.type,
          code: row.error.code,
          error: row.error.message,
          reported,
        },
      });
      if (reported) await report(core, tx, chat.id, row.action, row.error);
    },
  };
}

async function reportedRecently(tx: Tx, chatId: number, now: Date): Promise<boolean> {
  const [row] = await tx
    .select({ n: count() })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.chatId, chatId),
        eq(auditLog.action, 'action_failed'),
        sql`${auditLog.details} ->> 'reported' = 'true'`,
        gt(auditLog.at, sql`${timestamp(new Date(now.getTime() - REPORT_WINDOW_MS))}`),
      ),
    );
  return Number(row?.n ?? 0) > 0;
}

async function report(core: Core, tx: Tx, chatId: number, action: Action, error: ActionError): Promise<void> {
  const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(chatId);
  if (!chat) return;
  const t = core.texts.t(chat.settings.language);
  const userId = 'userId' in action ? action.userId : undefined;
  const account = userId ? await createAccountsRepository(tx).find(chat.platform, userId) : undefined;
  const right =
    action.type === 'delete'
      ? 'bot.right_delete'
      : action.type.endsWith('_join')
        ? 'bot.right_invite'
        : 'bot.right_restrict';
  const why =
    error.code === 'NOT_ENOUGH_RIGHTS' || error.code === 'BOT_NOT_IN_CHAT'
      ? t('failure.why_rights', { right: t(right) })
      : error.code === 'NOT_SUPERGROUP'
        ? t('strike.why_supergroup')
        : t('strike.why_refused', { error: error.message });
  const name = t(`failure.action_${action.type as 'mute'}`);
  const text = account
    ? t('failure.report', { action: name, target: displayName(account), why })
    : t('failure.report_no_target', { action: name, why });
  await enqueue(
    tx,
    core.clock,
    { type: 'send', chat: action.chat, text },
    { chatId: chat.id, maxAttempts: 3 },
  );
}

/** The gauges read at scrape time. */
export async function refreshGauges(core: Core): Promise<void> {
  const now = core.clock.now();
  const depth = await outboxDepth(core.db, now);
  core.metrics.set('ccm_outbox_pending', 'Platform actions waiting in the outbox.', depth.pending);
  core.metrics.set(
    'ccm_outbox_oldest_age_seconds',
    'Age of the oldest waiting action.',
    depth.oldestAgeSeconds,
  );
  const [active] = await core.db
    .select({ n: count() })
    .from(blocks)
    .where(inArray(blocks.status, ['active', 'lifting']));
  core.metrics.set('ccm_blocks_active', 'Members blocked now.', Number(active?.n ?? 0));
  const [open] = await core.db.select({ n: count() }).from(votes).where(eq(votes.status, 'open'));
  core.metrics.set('ccm_votes_open', 'Reinstatement votes open now.', Number(open?.n ?? 0));
  const memory = process.memoryUsage();
  core.metrics.set('ccm_process_resident_memory_bytes', 'Resident memory of this process.', memory.rss);
  core.metrics.set(
    'ccm_process_heap_used_bytes',
    'JavaScript heap in use (live objects and garbage not yet collected).',
    memory.heapUsed,
  );
}
