import { auditModeratorAction, type CommandSpec } from '../../runtime/commands.js';
import { chatAddress, excerpt } from '../../runtime/format.js';
import { saveAccount } from '../membership/members.js';

/** `/del` as a reply: deletes the message and the command (regulation 4.13.2), with a log entry. */
export const delCommand: CommandSpec = {
  name: 'del',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work } = ctx;
    const reply = ctx.event.replyTo;
    if (!reply) return ctx.refuse(ctx.t('del.usage'));
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
      details: { messageId: reply.messageId, excerpt: excerpt(reply.text) },
    });
  },
};
