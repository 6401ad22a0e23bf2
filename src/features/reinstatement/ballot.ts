import { createAccountsRepository, createMembersRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import { createVotesRepository } from '../../db/repos/votes.js';
import type { ButtonPressed, MemberStatus } from '../../messenger/port.js';
import { type BallotEvent, type Choice, eligibility, tally } from '../../moderation/reinstatement.js';
import type { ButtonAnswer } from '../../runtime/buttons.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { enqueueVoteEdit, VOTE_EDIT_SPACING_MS } from './vote-view.js';

/** Who may vote without being in the snapshot: a member the platform confirms (not read-only). */
const CONFIRMED_MEMBER: ReadonlySet<MemberStatus> = new Set(['creator', 'administrator', 'member']);

/**
 * Before the ballot's transaction: someone the bot has no record of in the chat is checked with the
 * platform (never assumed a member), so a stranger's press cannot keep a block in place.
 */
export async function ballotStanding(
  services: Services,
  event: ButtonPressed,
  voteId: number,
): Promise<MemberStatus | undefined> {
  const votes = createVotesRepository(services.db);
  const vote = await votes.vote(voteId);
  if (vote?.status !== 'open') return undefined;
  const account = await createAccountsRepository(services.db).find(event.chat.platform, event.user.userId);
  if (account) {
    if ((await votes.voterIds(vote.id)).has(account.id)) return undefined;
    if (!(await createMembersRepository(services.db).neverSawJoin(vote.chatId, account.id))) return undefined;
  }
  return services.directory(event.chat.platform).memberStatus(event.chat, event.user.userId);
}

/** A press on «Возражаю» / «Не возражаю». */
export async function onBallotButton(
  services: Services,
  work: Work,
  event: ButtonPressed,
  voteId: number,
  code: string,
  platformStatus: MemberStatus | undefined,
): Promise<ButtonAnswer> {
  const chat = await loadChat(services, work, event.chat);
  const t = services.texts.t(chat.settings.language);
  const repo = createVotesRepository(work.tx);
  const vote = await repo.vote(voteId);
  if (!vote || vote.chatId !== chat.id) return { text: t('gate.unknown_button') };
  if (vote.status !== 'open') return { text: t('vote.closed') };
  const block = await createBlocksRepository(work.tx).block(vote.blockId);
  if (!block) return { text: t('gate.unknown_button') };
  const account = await saveAccount(services, work, chat.platform, event.user);
  const voters = await repo.voterIds(vote.id);
  // Telegram lists no members, so the snapshot holds only members the bot had seen. Someone it never saw
  // join may have been in the chat since before the bot came (joins after that are all seen): they may
  // vote if the platform confirms they are a member now.
  const confirmed = platformStatus !== undefined && CONFIRMED_MEMBER.has(platformStatus);
  if (
    !voters.has(account.id) &&
    confirmed &&
    (await createMembersRepository(work.tx).neverSawJoin(chat.id, account.id))
  ) {
    await repo.addVoter(vote.id, account.id);
    voters.add(account.id);
  }
  const standing = eligibility(account.id, voters, block.accountId);
  if (standing === 'blocked_member') return { text: t('vote.own'), alert: true };
  if (standing === 'not_member_at_open') return { text: t('vote.not_eligible'), alert: true };
  const choice: Choice = code === 'o' ? 'object' : 'no_objection';
  const previous = await repo.cast(vote.id, account.id, choice, work.now);
  if (previous !== choice) {
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId: chat.schoolId,
      chatId: chat.id,
      actorKind: 'member',
      actorAccountId: account.id,
      action: 'vote_cast',
      targetAccountId: block.accountId,
      details: { voteId: vote.id, choice, previous: previous ?? null },
    });
    const counts = tally((await repo.ballots(vote.id)) as BallotEvent[], voters, block.accountId);
    const spaced = !vote.renderedAt || work.now.getTime() - vote.renderedAt.getTime() >= VOTE_EDIT_SPACING_MS;
    const updated = { ...vote, objections: counts.objections, noObjections: counts.noObjections };
    if (spaced && vote.messageId) {
      await repo.updateVote(vote.id, { ...counts, renderedAt: work.now, renderNeeded: false });
      await enqueueVoteEdit(services, work, updated);
    } else {
      // Too soon after the last edit: the render job edits the message once the spacing has passed.
      await repo.updateVote(vote.id, { ...counts, renderNeeded: true });
    }
  }
  return { text: t(choice === 'object' ? 'vote.cast_object' : 'vote.cast_no_objection') };
}

/** Edits vote messages whose counts changed while edits were being spaced out. */
export async function renderPendingVotes(services: Services): Promise<number> {
  return services.transact(async (work) => {
    const repo = createVotesRepository(work.tx);
    const due = await repo.claimRenders(new Date(work.now.getTime() - VOTE_EDIT_SPACING_MS), 100);
    for (const vote of due) {
      await repo.updateVote(vote.id, { renderedAt: work.now });
      await enqueueVoteEdit(services, work, vote);
    }
    return due.length;
  });
}
