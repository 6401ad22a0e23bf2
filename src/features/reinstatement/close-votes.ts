import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { type BlockRow, createBlocksRepository } from '../../db/repos/blocks.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createVotesRepository, type VoteRow } from '../../db/repos/votes.js';
import { type BallotEvent, tally, voteOutcome } from '../../moderation/reinstatement.js';
import { chatAddress, displayName, when } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { startLift } from '../blocks/index.js';
import { enqueueVoteEdit } from './vote-view.js';

/**
 * Closes votes whose time is up (a durable job that catches up after a restart and claims each vote
 * once across replicas): no objection lifts the block now through the same path as the scheduled
 * lift; any objection keeps it to its term. The tally is kept and the chat is told.
 */
export async function closeDueVotes(services: Services, batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const closed = await services.transact(async (work) => {
      const due = await createVotesRepository(work.tx).claimDueVotes(work.now, batch);
      for (const vote of due) await settleVote(services, work, vote);
      return due.length;
    });
    total += closed;
    if (closed < batch) return total;
  }
}

async function settleVote(services: Services, work: Work, vote: VoteRow): Promise<void> {
  const repo = createVotesRepository(work.tx);
  const block = await createBlocksRepository(work.tx).block(vote.blockId);
  const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(vote.chatId);
  const account = block ? await createAccountsRepository(work.tx).byId(block.accountId) : undefined;
  if (!block || !chat || !account) return;
  const voters = await repo.voterIds(vote.id);
  const counts = tally((await repo.ballots(vote.id)) as BallotEvent[], voters, block.accountId);
  const live = block.status === 'active';
  const outcome = !live ? 'moot' : voteOutcome(counts) === 'unblock' ? 'unblocked' : 'kept';
  await repo.updateVote(vote.id, {
    ...counts,
    outcome,
    status: 'closed',
    closedAt: work.now,
    renderNeeded: false,
  });
  await createAuditRepository(work.tx).append({
    at: work.now,
    schoolId: chat.schoolId,
    chatId: chat.id,
    actorKind: 'system',
    action: 'vote_closed',
    targetAccountId: account.id,
    reason: outcome,
    details: { voteId: vote.id, blockId: block.id, ...counts },
  });
  await enqueueVoteEdit(services, work, { ...vote, ...counts }, outcome);
  const t = services.texts.t(chat.settings.language);
  const name = displayName(account);
  if (outcome === 'unblocked') {
    const key = block.mode === 'ban' ? 'vote.result_unblocked_ban' : 'vote.result_unblocked';
    await startLift(work, chat, block, 'vote', t(key, { name, noObjections: counts.noObjections }), null);
  } else if (outcome === 'kept') {
    const text = t('vote.result_kept', {
      name,
      ...counts,
      until: when(services, block.endsAt, chat.settings.language),
    });
    await work.enqueue({ type: 'send', chat: chatAddress(chat), text }, { chatId: chat.id });
  }
}

/** Blocks ended or were corrected before their votes closed: those votes close as moot. */
export async function closeVotesAsMoot(services: Services, work: Work, ended: BlockRow[]): Promise<void> {
  const open = await createVotesRepository(work.tx).openVotesOn(ended.map((block) => block.id));
  for (const vote of open) await settleVote(services, work, vote);
}
