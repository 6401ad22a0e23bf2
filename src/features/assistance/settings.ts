import type { ChatRecord } from '../../db/repos/chats.js';
import { FLAG_SIGNALS } from '../../moderation/assistance/detect.js';
import {
  parseFlagRule,
  parseFlagWords,
  parseOwnLinks,
  readFlagSettings,
} from '../../moderation/assistance/settings.js';
import { auditModeratorAction, type GroupContext } from '../../runtime/commands.js';
import { chatsRepo } from '../chats/chats.js';
import { currentRules } from '../rules/rules.js';
import { reconcileQuietChat } from './quiet.js';

/**
 * `/settings flag_words …` (the chat's own words to flag), `/settings flag_rule <signal> <rule>` (which
 * rule a signal cites) and `/settings own_links …` (the school's own links and sites, never flagged as
 * advertising). Returns false for any other key.
 */
export async function changeFlagSetting(ctx: GroupContext, key: string, raw: string): Promise<boolean> {
  const name = key.toLowerCase();
  if (name !== 'flag_words' && name !== 'flag_rule' && name !== 'own_links') return false;
  const { chat, work, t } = ctx;
  const repo = chatsRepo(ctx.services, work);
  await repo.lock(chat.id);
  const fresh = (await repo.byId(chat.id)) ?? chat;
  const settings = readFlagSettings(fresh.overrides);
  let overrides: Record<string, unknown>;
  let answer: string;
  if (name === 'own_links') {
    const parsed = parseOwnLinks(raw);
    if (!parsed.ok) {
      await ctx.refuse(t('assistance.own_links_invalid'));
      return true;
    }
    overrides = { ...fresh.overrides, own_links: parsed.links };
    answer = parsed.links.length
      ? t('assistance.own_links_changed', { links: parsed.links.join(', ') })
      : t('assistance.own_links_cleared');
  } else if (name === 'flag_words') {
    const parsed = parseFlagWords(raw);
    if (!parsed.ok) {
      await ctx.refuse(t('assistance.flag_words_invalid'));
      return true;
    }
    overrides = { ...fresh.overrides, flag_words: parsed.words };
    answer = parsed.words.length
      ? t('assistance.flag_words_changed', { words: parsed.words.join(', ') })
      : t('assistance.flag_words_cleared');
  } else {
    const rules = await currentRules(ctx.services, work.tx, fresh);
    const parsed = parseFlagRule(raw, rules.rules.length);
    if (!parsed.ok) {
      await ctx.refuse(
        parsed.problem === 'signal'
          ? t('assistance.flag_rule_invalid_signal', { signals: FLAG_SIGNALS.join(', ') })
          : t('assistance.flag_rule_invalid_rule'),
      );
      return true;
    }
    const chosen = { ...settings.rules };
    if (parsed.rule === null) delete chosen[parsed.signal];
    else chosen[parsed.signal] = parsed.rule;
    overrides = { ...fresh.overrides, flag_rules: chosen };
    answer =
      parsed.rule === null
        ? t('assistance.flag_rule_auto', { signal: parsed.signal })
        : t('assistance.flag_rule_changed', { signal: parsed.signal, rule: parsed.rule });
  }
  await repo.setOverrides(chat.id, overrides, work.now);
  await auditModeratorAction(ctx, { action: 'settings_changed', details: { key: name, to: raw.trim() } });
  const updated = await repo.byId(chat.id);
  if (updated) work.afterCommit(() => ctx.services.rememberChat(updated));
  await ctx.reply(answer);
  return true;
}

/** `/settings announce_only on` where the platform cannot make a chat read-only: refused with why. */
export async function refuseUnsupportedQuiet(ctx: GroupContext, key: string, raw: string): Promise<boolean> {
  if (key.toLowerCase() !== 'announce_only' || !/^(?:on|yes|true|1|вкл|да|включить)$/i.test(raw.trim())) {
    return false;
  }
  if (ctx.services.platform(ctx.chat.platform).capabilities.chatPermissions) return false;
  await ctx.refuse(ctx.t('assistance.announce_only_unsupported'));
  return true;
}

/** After quiet_hours or announce_only changed: the chat is closed or reopened now, not at the next job. */
export function afterQuietChange(ctx: GroupContext, key: string, chat: ChatRecord): void {
  if (key !== 'quiet_hours' && key !== 'announce_only') return;
  ctx.work.afterCommit(() => {
    reconcileQuietChat(ctx.services, chat).catch((error: unknown) =>
      ctx.services.log.warn({ err: error }, 'quiet hours: could not update the chat'),
    );
  });
}
