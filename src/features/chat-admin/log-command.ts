import { createAuditRepository } from '../../db/repos/audit.js';
import type { Translate } from '../../i18n/index.js';
import { SETTING_KEYS, type SettingKey } from '../../moderation/settings.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { displayName, when } from '../../runtime/format.js';
import { settingName, settingValue } from './setting-words.js';

const LOG_DEFAULT = 10;

/** A change of setting in words: "настройка «Вид блокировки» — только чтение". */
function settingsLine(
  t: Translate,
  values: Record<string, unknown>,
  details: Record<string, unknown>,
): string {
  const key = String(details.key ?? '');
  if (!(SETTING_KEYS as string[]).includes(key)) return t('log.other', { at: String(values.at) });
  const setting = key as SettingKey;
  return t('log.settings_changed', {
    ...values,
    name: settingName(t, setting),
    value: settingValue(t, setting, details.to),
  });
}
const LOG_MAX = 50;

/** `/log [n]`: the chat's last n moderation actions, newest first, to the moderator privately. */
export const logCommand: CommandSpec = {
  name: 'log',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work, t } = ctx;
    const raw = ctx.event.command?.args ?? '';
    const limit = raw ? Number(raw) : LOG_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > LOG_MAX || !/^\d+$/.test(raw || '10')) {
      return ctx.refuse(t('log.usage'));
    }
    const rows = await createAuditRepository(work.tx).forLog(chat.id, limit);
    if (rows.length === 0) return ctx.answerPrivately(t('log.empty'));
    const lines = rows.map(({ entry, actor: who, target: whom }) => {
      const at = when(ctx.services, entry.at, ctx.language);
      const actorName =
        entry.actorKind === 'system'
          ? t('log.system')
          : who
            ? displayName(who)
            : entry.actorName || t('strike.anonymous_moderator');
      const targetName = whom ? displayName(whom) : '—';
      const details = (entry.details ?? {}) as Record<string, unknown>;
      const values = { at, actor: actorName, target: targetName, rule: entry.ruleNumber ?? '' };
      switch (entry.action) {
        case 'strike':
        case 'strike_revoked':
        case 'report':
        case 'block_failed':
          return t(`log.${entry.action}`, values);
        case 'message_deleted':
          return t(entry.ruleNumber ? 'log.message_deleted_rule' : 'log.message_deleted', values);
        case 'block':
          return t('log.block', {
            ...values,
            until: when(ctx.services, new Date(String(details.until)), ctx.language),
          });
        case 'unblock':
          return t(
            `log.unblock_${(entry.reason as 'term' | 'vote' | 'correction' | null) ?? 'term'}`,
            values,
          );
        case 'rules_changed':
          return t('log.rules_changed', { ...values, version: String(details.version ?? '') });
        case 'settings_changed':
          return settingsLine(t, values, details);
        case 'apology':
          return t('log.apology', values);
        case 'vote_opened':
          return t('log.vote_opened', values);
        case 'vote_closed':
          return t('log.vote_closed', {
            ...values,
            outcome: t(`log.outcome_${(entry.reason as 'unblocked' | 'kept' | 'moot' | null) ?? 'moot'}`),
          });
        case 'lift_failed':
        case 'removed':
        case 'removal_failed':
        case 'removal_lifted':
        case 'account_linked':
        case 'action_failed':
        case 'action_retried':
        case 'manual_removal':
        case 'manual_restriction':
        case 'attachment_requested':
        case 'attachment_confirmed':
        case 'attachment_rejected':
          return t(`log.${entry.action}`, values);
        default:
          return t('log.other', { at });
      }
    });
    return ctx.answerPrivately([t('log.header'), ...lines].join('\n'));
  },
};
