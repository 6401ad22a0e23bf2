import { createRulesRepository } from '../../db/repos/rules.js';
import { formatRules, parseRules, RULES_LIMITS } from '../../moderation/rules.js';
import { auditModeratorAction, type CommandSpec } from '../../runtime/commands.js';
import { chatsRepo } from '../chats/chats.js';
import { postRulesConfirmation } from '../rules-gate/confirm.js';
import { currentRules, rulesMessage } from './rules.js';

/** `/rules`: the chat's rules; `/rules confirm` (moderator) asks present members to confirm them. */
export const rulesCommand: CommandSpec = {
  name: 'rules',
  audience: 'member',
  where: 'group',
  async run(ctx) {
    const args = (ctx.event.command?.args ?? '').toLowerCase();
    if (args === 'confirm' || args === 'подтвердить') {
      if (!ctx.isModerator) return ctx.refuse(ctx.t('refusal.not_moderator'));
      return postRulesConfirmation(ctx);
    }
    const rules = await currentRules(ctx.services, ctx.work.tx, ctx.chat);
    await ctx.reply(rulesMessage(ctx.services, ctx.chat, rules));
  },
};

const RULES_PROBLEMS = {
  empty: { key: 'empty', max: 0 },
  too_many: { key: 'count', max: RULES_LIMITS.maxRules },
  rule_too_long: { key: 'rule_length', max: RULES_LIMITS.maxRuleLength },
  too_long: { key: 'total_length', max: RULES_LIMITS.maxTotalLength },
} as const;

/** `/setrules` + text (or as a reply to a message with them): a new version of the chat's rules. */
export const setRulesCommand: CommandSpec = {
  name: 'setrules',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { t, chat, work } = ctx;
    const text = ctx.event.command?.args || ctx.event.replyTo?.text || '';
    if (!text.trim()) {
      await ctx.refuse(t('rules.set_usage'));
      return;
    }
    const parsed = parseRules(text);
    if (!parsed.ok) {
      const { key, max } = RULES_PROBLEMS[parsed.problem];
      await ctx.refuse(t(`rules.problem.${key}`, { max }));
      return;
    }
    await chatsRepo(ctx.services, work).lock(chat.id);
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
