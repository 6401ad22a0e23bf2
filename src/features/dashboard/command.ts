import type { CommandSpec } from '../../runtime/commands.js';
import { issueLink, linkUrl, moderatedChats } from './access.js';

/**
 * `/dashboard` in a private chat: a moderator gets a single-use sign-in link to the web dashboard, valid
 * ten minutes. In a group it only says to ask in private (a link there would be anyone's).
 */
export const dashboardCommand: CommandSpec = {
  name: 'dashboard',
  audience: 'member',
  where: 'private',
  async run() {},
  async runPrivate(ctx) {
    const account = ctx.account;
    if (!account) return;
    const base = ctx.services.deps.publicUrl?.();
    if (!base) return ctx.reply(ctx.t('dashboard.bot.not_configured'));
    if ((await moderatedChats(ctx.services, account.id, ctx.work.tx)).length === 0) {
      return ctx.reply(ctx.t('dashboard.bot.not_moderator'));
    }
    const token = await issueLink(
      ctx.work.tx,
      { role: 'moderator', accountId: account.id, schoolId: null },
      ctx.work.now,
    );
    // The text names the ten minutes of LINK_TTL_MS.
    await ctx.reply(ctx.t('dashboard.bot.link', { url: linkUrl(base, token) }));
  },
};
