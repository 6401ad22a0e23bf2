import type { Executor } from '../../db/client.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createRulesRepository } from '../../db/repos/rules.js';
import { formatRules, parseRules, RULES_LIMITS } from '../../moderation/rules.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { auditModeratorAction } from '../../runtime/commands.js';
import type { Core } from '../../runtime/services.js';
import { chatsRepo } from '../chats/chats.js';
import { postRulesConfirmation } from '../rules-gate/invite-command.js';

export interface ChatRules {
  version: number;
  rules: string[];
}

/** The chat's current rules: its own, or the defaults in its language. */
export async function currentRules(core: Core, ex: Executor, chat: ChatRecord): Promise<ChatRules> {
  const current = await createRulesRepository(ex).current(chat.id);
  const text = current?.text ?? core.texts.t(chat.settings.language)('rules.default');
  const parsed = parseRules(text);
  return { version: current?.version ?? 1, rules: parsed.ok ? parsed.rules : [text] };
}

export function rulesMessage(core: Core, chat: ChatRecord, rules: ChatRules): string {
  const t = core.texts.t(chat.settings.language);
  return [
    t('rules.header', { title: chat.title }),
    formatRules(rules.rules),
    t('rules.footer', { count: chat.settings.strike_limit }),
  ].join('\n\n');
}

export const rulesCommand: CommandSpec = {
  name: 'rules',
  audience: 'member',
  where: 'group',
  async run(ctx) {
    const args = (ctx.event.command?.args ?? '').toLowerCase();
    if (args === 'confirm' || args === 'подтвердить') {
      if (!ctx.isModerator) return ctx.reply(ctx.t('refusal.not_moderator'));
      return postRulesConfirmation(ctx);
    }
    const rules = await currentRules(ctx.core, ctx.work.tx, ctx.chat);
    await ctx.reply(rulesMessage(ctx.core, ctx.chat, rules));
  },
};

const RULES_PROBLEMS = {
  empty: { key: 'empty', max: 0 },
  too_many: { key: 'count', max: RULES_LIMITS.maxRules },
  rule_too_long: { key: 'rule_length', max: RULES_LIMITS.maxRuleLength },
  too_long: { key: 'total_length', max: RULES_LIMITS.maxTotalLength },
} as const;

export const setRulesCommand: CommandSpec = {
  name: 'setrules',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { t, chat, work } = ctx;
    // The rules come with the command, or the command answers a message that holds them.
    const text = ctx.event.command?.args || ctx.event.replyTo?.text || '';
    if (!text.trim()) {
      await ctx.reply(t('rules.set_usage'));
      return;
    }
    const parsed = parseRules(text);
    if (!parsed.ok) {
      const { key, max } = RULES_PROBLEMS[parsed.problem];
      await ctx.reply(t(`rules.problem.${key}`, { max }));
      return;
    }
    await chatsRepo(ctx.core, work).lock(chat.id);
    const version = await createRulesRepository(work.tx).add(
      chat.id,
      parsed.rules.join('\n'),
      ctx.account?.id ?? null,
      work.now,
    );
    await auditModeratorAction(ctx, {
      action: 'rules_changed',
      details: { version, rules: parsed.rules.length },
    });
    await ctx.reply(`${t('rules.updated', { version })}\n\n${formatRules(parsed.rules)}`);
  },
};
