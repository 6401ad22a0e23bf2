import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import { createVotesRepository } from '../../db/repos/votes.js';
import { voteCloses } from '../../moderation/reinstatement.js';
import { outcome } from '../../outbox/outcomes.js';
import { auditModeratorAction, type CommandSpec, type GroupContext } from '../../runtime/commands.js';
import { chatAddress, displayName, excerpt, when } from '../../runtime/format.js';
import { chatsRepo } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { MAX_APOLOGY, recordApology } from './apology.js';
import { renderVote } from './vote-view.js';

/** Finds who `/unblock` is about: `<id>`, `@username`, a reply to them, or a reply to their announced apology. */
async function unblockTarget(ctx: GroupContext) {
  const { services, work, chat } = ctx;
  const args = (ctx.event.command?.args ?? '').trim();
  const reply = ctx.event.replyTo;
  if (/^\d{1,20}$/.test(args) || /^@\w{3,64}$/.test(args)) {
    const account = await createAccountsRepository(work.tx).findByIdOrUsername(chat.platform, args);
    return account ? { account, by: 'id' as const } : { missing: args };
  }
  if (args) return undefined;
  if (reply?.sender?.kind !== 'user') return undefined;
  if (reply.sender.user.userId === services.platform(chat.platform).self.userId) {
    const apology = await createVotesRepository(work.tx).apologyAnnouncedIn(chat.id, reply.messageId);
    const account = apology ? await createAccountsRepository(work.tx).byId(apology.accountId) : undefined;
    return account ? { account, by: 'announcement' as const } : undefined;
  }
  return {
    account: await saveAccount(services, work, chat.platform, reply.sender.user),
    by: 'reply' as const,
  };
}

/** `/unblock` (regulation 4.13.6): opens the objection vote for a blocked member who apologised. */
export const unblockCommand: CommandSpec = {
  name: 'unblock',
  audience: 'moderator',
  where: 'group',
  actsOnReplyAuthor: true,
  async run(ctx) {
    const { services, work, chat, t, language } = ctx;
    const target = await unblockTarget(ctx);
    if (!target) return ctx.refuse(t('unblock.usage'));
    if ('missing' in target) return ctx.refuse(t('unblock.not_found', { who: target.missing }));
    if (target.by === 'reply' && ctx.replyAuthorIsModerator) return ctx.refuse(t('unblock.target_moderator'));
    const account = target.account;
    const name = displayName(account);
    await chatsRepo(services, work).lock(chat.id);
    const block = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
    if (block?.status !== 'active') return ctx.refuse(t('unblock.not_blocked', { name }));
    const repo = createVotesRepository(work.tx);
    const open = await repo.openVote(block.id);
    if (open)
      return ctx.refuse(t('unblock.already_open', { name, closes: when(services, open.closesAt, language) }));

    let apology = await repo.latestApology(block.id);
    const reply = ctx.event.replyTo;
    // An apology made elsewhere (4.13.6: the member's own words): the message the moderator answered,
    // if the blocked member wrote it after the block began. Nobody else's message is an apology.
    const ownWords =
      reply?.sender?.kind === 'user' &&
      reply.sender.user.userId === account.platformUserId &&
      reply.at !== undefined &&
      reply.at.getTime() >= block.startsAt.getTime() &&
      reply.text.trim() !== '';
    if (!apology && reply && ownWords) {
      apology = await recordApology(services, work, chat, block, account, excerpt(reply.text, MAX_APOLOGY), {
        kind: 'moderator',
        accountId: ctx.account?.id ?? null,
      });
    }
    if (!apology) return ctx.refuse(t('unblock.no_apology', { name }));

    const vote = await repo.insertVote(
      {
        chatId: chat.id,
        blockId: block.id,
        apologyId: apology.id,
        openedByAccountId: ctx.account?.id ?? null,
        openedAt: work.now,
        closesAt: voteCloses(work.now, chat.settings.vote_hours, services.deps.timeZone),
        status: 'open',
      },
      account.id,
    );
    await auditModeratorAction(ctx, {
      action: 'vote_opened',
      targetAccountId: account.id,
      details: {
        voteId: vote.id,
        blockId: block.id,
        apologyId: apology.id,
        closesAt: vote.closesAt.toISOString(),
      },
    });
    const view = await renderVote(services, work, vote);
    if (!view) return;
    await work.enqueue(
      {
        type: 'send',
        chat: chatAddress(chat),
        text: view.text,
        options: view.buttons ? { buttons: view.buttons } : {},
      },
      { chatId: chat.id, onDone: outcome('vote.posted', { voteId: vote.id }) },
    );
  },
};
