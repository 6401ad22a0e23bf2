import type { UserInfo } from '../../messenger/port.js';
import type { GroupContext } from '../../runtime/commands.js';

/**
 * The person a moderator's command is about: the author of the replied message. Refuses (and says why)
 * when there is no such person or they may not be acted on (the bot, another bot, the chat itself).
 */
export async function replyAuthor(
  ctx: GroupContext,
  usageKey: 'strike.usage_reply' | 'unstrike.usage' | 'report.usage',
): Promise<UserInfo | undefined> {
  const reply = ctx.event.replyTo;
  if (!reply) {
    await ctx.refuse(ctx.t(usageKey));
    return undefined;
  }
  const sender = reply.sender;
  if (sender?.kind !== 'user') {
    await ctx.refuse(ctx.t('strike.target_anonymous'));
    return undefined;
  }
  if (sender.user.userId === ctx.services.platform(ctx.chat.platform).self.userId) {
    await ctx.refuse(ctx.t('strike.target_self'));
    return undefined;
  }
  if (sender.user.isBot) {
    await ctx.refuse(ctx.t('strike.target_bot'));
    return undefined;
  }
  return sender.user;
}
