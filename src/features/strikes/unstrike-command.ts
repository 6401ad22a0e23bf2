import { createBlocksRepository } from '../../db/repos/blocks.js';
import { createStrikesRepository } from '../../db/repos/strikes.js';
import { correctionLiftsBlock } from '../../moderation/strikes.js';
import { auditModeratorAction, type CommandSpec } from '../../runtime/commands.js';
import { day, displayName } from '../../runtime/format.js';
import { startLift } from '../blocks/index.js';
import { chatsRepo } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { active } from './strike-command.js';
import { replyAuthor } from './target.js';

/**
 * `/unstrike <reason>` as a reply: revokes the member's latest active strike as the correction of a
 * moderator's mistake (4.13.6 allows an early end of a block only after an apology and a vote: this is
 * not that, so it needs a reason, kept in the audit log, and the chat is told it was a correction).
 */
export const unstrikeCommand: CommandSpec = {
  name: 'unstrike',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { services, chat, work, t } = ctx;
    const target = await replyAuthor(ctx, 'unstrike.usage');
    if (!target) return;
    const reason = (ctx.event.command?.args ?? '').trim();
    if (!reason) return ctx.refuse(t('unstrike.usage'));
    await chatsRepo(services, work).lock(chat.id);
    const account = await saveAccount(services, work, chat.platform, target);
    const strikes = createStrikesRepository(work.tx);
    const name = displayName(account);
    const current = active(await strikes.strikesOf(chat.id, account.id), chat.settings, work.now);
    const latest = current[0];
    if (!latest) return ctx.refuse(t('unstrike.none', { name }));
    await strikes.revokeStrike(latest.id, ctx.account?.id ?? null, work.now);
    await auditModeratorAction(ctx, {
      action: 'strike_revoked',
      targetAccountId: account.id,
      ruleNumber: latest.ruleNumber,
      reason,
      details: { strikeId: latest.id },
    });
    const remaining = current.length - 1;
    await ctx.reply(
      t('unstrike.revoked', {
        name,
        rule: latest.ruleNumber,
        date: day(services, latest.createdAt, ctx.language),
        count: remaining,
        limit: chat.settings.strike_limit,
      }),
    );
    const block = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
    if (block?.status === 'active' && correctionLiftsBlock(remaining, chat.settings)) {
      // The block rested on a strike that should not have been given: lift it, and let the other
      // strikes count again.
      await strikes.releaseStrikes(block.id);
      const text = t('block.unblocked_correction', {
        name,
        count: remaining,
        limit: chat.settings.strike_limit,
      });
      await startLift(work, chat, block, 'correction', text, ctx.account?.id ?? null);
    }
  },
};
