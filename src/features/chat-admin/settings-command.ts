import { createRosterRepository } from '../../db/repos/roster.js';
import type { Translate } from '../../i18n/index.js';
import {
  allowedValues,
  type ChatSettings,
  changeSetting,
  SETTING_KEYS,
  type SettingKey,
} from '../../moderation/settings.js';
import { auditModeratorAction, type CommandSpec } from '../../runtime/commands.js';
import { afterQuietChange, changeFlagSetting, refuseUnsupportedQuiet } from '../assistance/settings.js';
import { chatsRepo } from '../chats/chats.js';
import { moderatorRuleIn } from '../membership/staff.js';
import { requestAttachment } from '../schools/index.js';
import { settingChoices, settingName, settingValue } from './setting-words.js';

function settingsList(t: Translate, settings: ChatSettings): string {
  const lines = SETTING_KEYS.map((key) =>
    t('settings.line', { key, name: settingName(t, key), value: settingValue(t, key, settings[key]) }),
  );
  return [t('settings.header'), ...lines, '', t('settings.usage')].join('\n');
}

function refusal(t: Translate, key: SettingKey): string {
  const allowed = allowedValues(key);
  // The regulation sets these bounds: the moderator is told which clause.
  if (key === 'strike_limit' && 'min' in allowed) return t('settings.invalid_strike_limit', allowed);
  if (key === 'vote_hours' && 'min' in allowed) return t('settings.invalid_vote_hours', allowed);
  if ('class' in allowed) return t('settings.invalid_class');
  if ('hours' in allowed) return t('settings.invalid_hours');
  if ('flood' in allowed) return t('settings.invalid_flood', allowed.flood);
  const name = settingName(t, key);
  if ('choices' in allowed)
    return t('settings.invalid_choice', { name, choices: settingChoices(t, key, allowed.choices) });
  return t('settings.invalid_range', { name, min: allowed.min, max: allowed.max });
}

/** `/settings` shows the chat's settings; `/settings <key> <value>` changes one, validated. */
export const settingsCommand: CommandSpec = {
  name: 'settings',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work } = ctx;
    const args = ctx.event.command?.args ?? '';
    const roster = createRosterRepository(work.tx);
    if (!args) {
      const school = chat.schoolId === null ? undefined : await roster.school(chat.schoolId);
      const list = settingsList(ctx.t, chat.settings);
      const schoolLine = school
        ? ctx.t('settings.school_line', { school: school.name })
        : ctx.t('settings.school_line_none');
      const rule = await moderatorRuleIn(ctx.services, work, chat);
      const warning = rule.staffOnly ? '' : `\n\n${ctx.t('settings.moderators_all_admins')}`;
      await ctx.answerPrivately(`${list}\n${schoolLine}${warning}`);
      return;
    }
    const [key = '', ...rest] = args.split(/\s+/);
    const raw = rest.join(' ');
    if (key.toLowerCase() === 'school') return requestAttachment(ctx, raw.trim());
    if (await changeFlagSetting(ctx, key, raw)) return;
    if (await refuseUnsupportedQuiet(ctx, key, raw)) return;
    if (!raw && SETTING_KEYS.includes(key.toLowerCase() as SettingKey)) {
      await ctx.refuse(ctx.t('settings.missing_value', { key: key.toLowerCase() }));
      return;
    }
    const repo = chatsRepo(ctx.services, work);
    await repo.lock(chat.id);
    const fresh = (await repo.byId(chat.id)) ?? chat;
    const change = changeSetting(fresh.overrides, key, raw);
    if (!change.ok) {
      await ctx.refuse(
        change.problem === 'unknown_key'
          ? ctx.t('settings.unknown_key', { key: change.key, keys: SETTING_KEYS.join(', ') })
          : refusal(ctx.t, change.key),
      );
      return;
    }
    await repo.setOverrides(chat.id, change.overrides, work.now);
    await auditModeratorAction(ctx, {
      action: 'settings_changed',
      details: { key: change.key, from: fresh.settings[change.key], to: change.value },
    });
    const updated = await repo.byId(chat.id);
    if (updated) work.afterCommit(() => ctx.services.rememberChat(updated));
    if (updated) afterQuietChange(ctx, change.key, updated);
    // A change of language is answered in the new language.
    const t =
      change.key === 'language' ? ctx.services.texts.t(change.value as ChatSettings['language']) : ctx.t;
    await ctx.reply(
      t('settings.changed', {
        name: settingName(t, change.key),
        value: settingValue(t, change.key, change.value),
      }),
    );
  },
};
