import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import type { Translate } from '../../i18n/index.js';
import type { Action } from '../../outbox/actions.js';
import type { ActionError } from '../../outbox/outcomes.js';
import type { OutboxEvents } from '../../outbox/worker.js';
import { displayName } from '../../runtime/format.js';
import { moderatorsStartLine, tellModeratorsPrivately } from '../../runtime/privately.js';
import type { Services, Work } from '../../runtime/services.js';

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
 * the audit log and reported to the chat's moderators privately once (per chat and hour).
 */
export function outboxEvents(services: Services): OutboxEvents {
  return {
    onOutcome(action, result, waitedMs) {
      services.metrics.actions.inc({ outcome: result, type: action.type });
      if (waitedMs !== undefined)
        services.metrics.outboxDelaySeconds.observe({ type: action.type }, waitedMs / 1000);
    },
    async onFinalFailure(work, row) {
      services.log.error(
        { outboxId: row.id, action: row.action.type, code: row.error.code },
        'a platform action failed for good',
      );
      if (row.chatId === null) return;
      const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(row.chatId);
      if (!chat) return;
      const audit = createAuditRepository(work.tx);
      const since = new Date(work.now.getTime() - REPORT_WINDOW_MS);
      const reported =
        REPORTED.has(row.action.type) &&
        !row.handled &&
        (await audit.countSince(chat.id, 'action_failed', since, { reported: true })) === 0;
      await audit.append({
        at: work.now,
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
      if (reported) await report(services, work, chat.id, row.action, row.error);
    },
  };
}

async function report(
  services: Services,
  work: Work,
  chatId: number,
  action: Action,
  error: ActionError,
): Promise<void> {
  const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(chatId);
  if (!chat) return;
  const userId = 'userId' in action ? action.userId : undefined;
  const account = userId ? await createAccountsRepository(work.tx).find(chat.platform, userId) : undefined;
  const right =
    action.type === 'delete'
      ? 'bot.right_delete'
      : action.type.endsWith('_join')
        ? 'bot.right_invite'
        : 'bot.right_restrict';
  const render = (t: Translate, named: boolean) => {
    const why =
      error.code === 'NOT_ENOUGH_RIGHTS' || error.code === 'BOT_NOT_IN_CHAT'
        ? t('failure.why_rights', { right: t(right) })
        : error.code === 'NOT_SUPERGROUP'
          ? t('block.why_supergroup')
          : t('block.why_refused');
    const name = t(`failure.action_${action.type as 'mute'}`);
    return account && named
      ? t('failure.report', { action: name, target: displayName(account), why })
      : t('failure.report_no_target', { action: name, why });
  };
  // Who it concerned is for the moderators' eyes only; the group reads at most what is wrong, unnamed.
  const told = await tellModeratorsPrivately(
    services,
    work,
    chat,
    (t) => `${t('privacy.from_chat', { title: chat.title })}\n${render(t, true)}`,
  );
  if (told > 0) return;
  const t = services.texts.t(chat.settings.language);
  const text = `${render(t, false)}\n${moderatorsStartLine(services, chat)}`;
  await work.enqueue({ type: 'send', chat: action.chat, text }, { chatId: chat.id, maxAttempts: 3 });
}
