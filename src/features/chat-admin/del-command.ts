import { findRule } from '../../moderation/rules.js';
import { auditModeratorAction, type CommandSpec } from '../../runtime/commands.js';
import { chatAddress } from '../../runtime/format.js';
import { saveAccount } from '../membership/members.js';
import { currentRules } from '../rules/rules.js';

/**
 * `/del [rule]` as a reply: deletes the message and the command (regulation 4.13.2). The log keeps who
 * deleted it, when, whose it was and the rule if one was named — never the message's words (privacy in
 * class chats: what was deleted is gone).
 */
export const delCommand: CommandSpec = {
  name: 'del',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work, t } = ctx;
    const reply = ctx.event.replyTo;
    if (!reply) return ctx.refuse(t('del.usage'));
    const typed = (ctx.event.command?.args ?? '').trim();
    let ruleNumber: number | null = null;
    if (typed) {
      const rule = findRule((await currentRules(ctx.services, work.tx, chat)).rules, typed);
      if (!rule) {
        return ctx.refuse(/\d/.test(typed) ? t('strike.no_such_rule', { rule: typed }) : t('del.usage'));
      }
      ruleNumber = rule.number;
    }
    const author =
      reply.sender?.kind === 'user'
        ? await saveAccount(ctx.services, work, chat.platform, reply.sender.user)
        : undefined;
    await work.enqueue(
      { type: 'delete', chat: chatAddress(chat), messageId: reply.messageId },
      { chatId: chat.id },
    );
    await work.enqueue(
      { type: 'delete', chat: chatAddress(chat), messageId: ctx.event.messageId },
      { chatId: chat.id },
    );
    await auditModeratorAction(ctx, {
      action: 'message_deleted',
      targetAccountId: author?.id ?? null,
      ruleNumber,
      details: { messageId: reply.messageId },
    });
  },
};
