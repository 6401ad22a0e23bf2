import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { type AccountRecord, createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import { type BlockRow, createModerationRepository } from '../../db/repos/strikes-blocks.js';
import { type ApologyRow, createVotesRepository, type VoteRow } from '../../db/repos/votes.js';
import { accounts, chatMembers, strikes } from '../../db/schema.js';
import type { ButtonPressed, ButtonSpec } from '../../messenger/port.js';
import {
  type BallotEvent,
  type Choice,
  eligibility,
  tally,
  voteOutcome,
} from '../../moderation/reinstatement.js';
import type { Action } from '../../outbox/actions.js';
import { enqueue, type OutcomeHandler } from '../../outbox/outbox.js';
import type { CommandContext, CommandSpec } from '../../runtime/commands.js';
import { auditModeratorAction } from '../../runtime/commands.js';
import { chatAddress, displayName, excerpt, when } from '../../runtime/format.js';
import type { Core, Work } from '../../runtime/services.js';
import { startLift } from '../blocks/blocks.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import type { ButtonAnswer } from '../rules-gate/gate.js';

/**
 * Early reinstatement (regulation 4.13.6): a blocked member apologises to the chat's members; a
 * moderator opens an objection vote; at its close, no objection lifts the block now and any objection
 * keeps it to its term.
 */

export const REINSTATEMENT_BUTTONS = { apologyChat: 'a:', ballot: 'v:' } as const;
const MAX_APOLOGY = 1000;
/** Vote messages are edited at most this often while votes arrive (Telegram's limits). */
export const VOTE_EDIT_SPACING_MS = 3000;

async function chatById(core: Core, tx: Tx, id: number) {
  return createChatsRepository(tx, core.deps.defaultLanguage).byId(id);
}

/** Records an apology for a block and tells the chat, pointing moderators to /unblock. */
async function recordApology(
  core: Core,
  work: Work,
  chat: ChatRecord,
  block: BlockRow,
  account: AccountRecord,
  text: string,
  by: { kind: 'member' } | { kind: 'moderator'; accountId: number | null },
  existing?: ApologyRow,
): Promise<ApologyRow> {
  const repo = createVotesRepository(work.tx);
  let apology: ApologyRow;
  if (existing) {
    await repo.updateApology(existing.id, { blockId: block.id });
    apology = { ...existing, blockId: block.id };
  } else {
    apology = await repo.insertApology({
      accountId: account.id,
      blockId: block.id,
      text,
      recordedBy: by.kind,
      recordedByAccountId: by.kind === 'moderator' ? by.accountId : account.id,
      createdAt: work.now,
    });
  }
  await createAuditRepository(work.tx).append({
    at: work.now,
    schoolId: chat.schoolId,
    chatId: chat.id,
    actorKind: by.kind,
    actorAccountId: by.kind === 'moderator' ? by.accountId : account.id,
    action: 'apology',
    targetAccountId: account.id,
    reason: excerpt(apology.text, 500),
    details: { blockId: block.id, apologyId: apology.id },
  });
  if (by.kind === 'member') {
    const t = core.texts.t(chat.settings.language);
    await work.enqueue(
      {
        type: 'send',
        chat: chatAddress(chat),
        text: t('apology.announced', { name: displayName(account), text: apology.text }),
      },
      { chatId: chat.id, onDone: { name: 'apology.announced', args: { apologyId: apology.id } } },
    );
  }
  return apology;
}

/**
 * `/apologize <text>`: in a private chat (a blocked member cannot post in the group) or, where the
 * block lets them write, in the group. Blocked in several chats, the member chooses with buttons.
 */
export const apologizeCommand: CommandSpec = {
  name: 'apologize',
  audience: 'member',
  where: 'both',
  async run(ctx) {
    const text = (ctx.event.command?.args ?? '').trim();
    if (!ctx.account) return;
    if (!text) return ctx.reply(ctx.t('apology.usage'));
    if (text.length > MAX_APOLOGY) return ctx.reply(ctx.t('apology.too_long', { max: MAX_APOLOGY }));
    const block = await createModerationRepository(ctx.work.tx).liveBlock(ctx.chat.id, ctx.account.id);
    if (block?.status !== 'active') return ctx.reply(ctx.t('apology.not_blocked'));
    await recordApology(ctx.core, ctx.work, ctx.chat, block, ctx.account, text, { kind: 'member' });
  },
  async runPrivate(ctx) {
    const { core, work, t, account } = ctx;
    const text = (ctx.event.command?.args ?? '').trim();
    if (!account) return;
    if (!text) return ctx.reply(t('apology.usage'));
    if (text.length > MAX_APOLOGY) return ctx.reply(t('apology.too_long', { max: MAX_APOLOGY }));
    const repo = createVotesRepository(work.tx);
    const live = await repo.liveBlocksOf(account.id);
    if (live.length === 0) return ctx.reply(t('apology.not_blocked'));
    if (live.length === 1) {
      const [{ block, chat: row }] = live as [(typeof live)[number]];
      const chat = await chatById(core, work.tx, row.id);
      if (!chat) return;
      await recordApology(core, work, chat, block, account, text, { kind: 'member' });
      return ctx.reply(t('apology.recorded', { title: chat.title }));
    }
    // Several chats: keep the apology and ask which chat it is for.
    const draft = await repo.insertApology({
      accountId: account.id,
      blockId: null,
      text,
      recordedBy: 'member',
      recordedByAccountId: account.id,
      createdAt: work.now,
    });
    const buttons: ButtonSpec[][] = live.map(({ block, chat }) => [
      {
        text: chat.title || String(chat.id),
        data: `${REINSTATEMENT_BUTTONS.apologyChat}${draft.id}:${block.id}`,
      },
    ]);
    await ctx.reply(t('apology.choose'), buttons);
  },
};

/** The member chose which chat their apology is for. */
export async function onApologyChatButton(
  core: Core,
  work: Work,
  event: ButtonPressed,
): Promise<ButtonAnswer> {
  const [apologyId, blockId] = event.data
    .slice(REINSTATEMENT_BUTTONS.apologyChat.length)
    .split(':')
    .map(Number);
  const t0 = core.texts.t(core.texts.languageFor(event.user.languageCode));
  const repo = createVotesRepository(work.tx);
  const apology = await repo.apology(apologyId ?? 0);
  const account = await saveAccount(core, work, event.chat.platform, event.user, { privateChatOpen: true });
  if (!apology || apology.accountId !== account.id) return { text: t0('gate.unknown_button') };
  if (apology.blockId !== null) return { text: t0('apology.already_chosen') };
  const block = await createModerationRepository(work.tx).block(blockId ?? 0);
  const chat = block ? await chatById(core, work.tx, block.chatId) : undefined;
  if (!block || !chat || block.accountId !== account.id || block.status !== 'active') {
    return { text: t0('apology.not_blocked') };
  }
  await recordApology(core, work, chat, block, account, apology.text, { kind: 'member' }, apology);
  const text = core.texts.t(chat.settings.language)('apology.recorded', { title: chat.title });
  await work.enqueue({
    type: 'edit',
    chat: { platform: event.chat.platform, chatId: event.chat.chatId },
    messageId: event.messageId,
    text,
  });
  return { text };
}

async function brokenRules(tx: Tx, blockId: number): Promise<string> {
  const rows = await tx
    .select({ rule: strikes.ruleNumber })
    .from(strikes)
    .where(and(eq(strikes.blockId, blockId), isNull(strikes.revokedAt)));
  return [...new Set(rows.map((row) => row.rule))].sort((a, b) => a - b).join(', ');
}

interface VoteView {
  text: string;
  buttons: ButtonSpec[][] | undefined;
}

async function renderVote(
  core: Core,
  tx: Tx,
  vote: VoteRow,
  final?: 'unblocked' | 'kept' | 'moot',
): Promise<VoteView | undefined> {
  const chat = await chatById(core, tx, vote.chatId);
  const block = await createModerationRepository(tx).block(vote.blockId);
  const apology = await createVotesRepository(tx).apology(vote.apologyId);
  const account = block ? await createAccountsRepository(tx).byId(block.accountId) : undefined;
  if (!chat || !block || !apology || !account) return undefined;
  const language = chat.settings.language;
  const t = core.texts.t(language);
  const lines = [
    t('vote.text', {
      name: displayName(account),
      until: when(core, block.endsAt, language),
      rules: await brokenRules(tx, block.id),
      apology: apology.text,
      closes: when(core, vote.closesAt, language),
    }),
    '',
    t('vote.counts', { objections: vote.objections, noObjections: vote.noObjections }),
  ];
  if (final === 'unblocked') lines.push(t('vote.final_unblocked'));
  if (final === 'kept') lines.push(t('vote.final_kept', { until: when(core, block.endsAt, language) }));
  if (final === 'moot') lines.push(t('vote.final_moot'));
  const buttons = final
    ? undefined
    : [
        [
          {
            text: t('vote.button', { label: t('vote.object'), count: vote.objections }),
            data: `${REINSTATEMENT_BUTTONS.ballot}${vote.id}:o`,
          },
          {
            text: t('vote.button', { label: t('vote.no_objection'), count: vote.noObjections }),
            data: `${REINSTATEMENT_BUTTONS.ballot}${vote.id}:n`,
          },
        ],
      ];
  return { text: lines.join('\n'), buttons };
}

async function enqueueVoteEdit(core: Core, tx: Tx, vote: VoteRow, final?: 'unblocked' | 'kept' | 'moot') {
  if (!vote.messageId) return;
  const view = await renderVote(core, tx, vote, final);
  const chat = await chatById(core, tx, vote.chatId);
  if (!view || !chat) return;
  const action: Action = {
    type: 'edit',
    chat: chatAddress(chat),
    messageId: vote.messageId,
    text: view.text,
  };
  if (view.buttons) action.buttons = view.buttons;
  await enqueue(tx, core.clock, action, { chatId: chat.id });
}

/** Finds who `/unblock` is about: `<id>`, `@username`, a reply to them, or a reply to their announced apology. */
async function unblockTarget(ctx: CommandContext & { chat: ChatRecord }) {
  const { core, work, chat } = ctx;
  const args = (ctx.event.command?.args ?? '').trim();
  const reply = ctx.event.replyTo;
  if (/^\d{1,20}$/.test(args) || /^@\w{3,64}$/.test(args)) {
    const [row] = await work.tx
      .select()
      .from(accounts)
      .where(
        and(
          eq(accounts.platform, chat.platform),
          args.startsWith('@') ? eq(accounts.username, args.slice(1)) : eq(accounts.platformUserId, args),
        ),
      );
    return row ? { account: row as AccountRecord, by: 'id' as const } : { missing: args };
  }
  if (args) return undefined;
  if (reply?.sender?.kind !== 'user') return undefined;
  if (reply.sender.user.userId === core.messenger(chat.platform).self.userId) {
    const apology = await createVotesRepository(work.tx).apologyAnnouncedIn(chat.id, reply.messageId);
    const account = apology ? await createAccountsRepository(work.tx).byId(apology.accountId) : undefined;
    return account ? { account, by: 'announcement' as const } : undefined;
  }
  return { account: await saveAccount(core, work, chat.platform, reply.sender.user), by: 'reply' as const };
}

/** `/unblock`: opens the objection vote for a blocked member who apologised. */
export const unblockCommand: CommandSpec = {
  name: 'unblock',
  audience: 'moderator',
  where: 'group',
  actsOnReplyAuthor: true,
  async run(ctx) {
    const { core, work, chat, t, language } = ctx;
    const target = await unblockTarget(ctx);
    if (!target) return ctx.reply(t('unblock.usage'));
    if ('missing' in target) return ctx.reply(t('unblock.not_found', { who: target.missing }));
    if (target.by === 'reply' && ctx.replyAuthorIsModerator) return ctx.reply(t('unblock.target_moderator'));
    const account = target.account;
    const name = displayName(account);
    const moderation = createModerationRepository(work.tx);
    await createChatsRepository(work.tx, core.deps.defaultLanguage).lock(chat.id);
    const block = await moderation.liveBlock(chat.id, account.id);
    if (block?.status !== 'active') return ctx.reply(t('unblock.not_blocked', { name }));
    const repo = createVotesRepository(work.tx);
    const open = await repo.openVote(block.id);
    if (open)
      return ctx.reply(t('unblock.already_open', { name, closes: when(core, open.closesAt, language) }));

    let apology = await repo.latestApology(block.id);
    const reply = ctx.event.replyTo;
    // An apology made elsewhere: the message the moderator answered holds it (a message the member
    // wrote during the block, or any message when the member is named by id).
    const madeDuringBlock =
      target.by === 'reply' && reply?.at && reply.at.getTime() >= block.startsAt.getTime();
    const namedWithMessage = target.by === 'id' && reply && reply.text.trim();
    if (!apology && reply && (madeDuringBlock || namedWithMessage)) {
      apology = await recordApology(core, work, chat, block, account, excerpt(reply.text, MAX_APOLOGY), {
        kind: 'moderator',
        accountId: ctx.account?.id ?? null,
      });
    }
    if (!apology) return ctx.reply(t('unblock.no_apology', { name }));

    const vote = await repo.insertVote(
      {
        chatId: chat.id,
        blockId: block.id,
        apologyId: apology.id,
        openedByAccountId: ctx.account?.id ?? null,
        openedAt: work.now,
        closesAt: new Date(work.now.getTime() + chat.settings.vote_hours * 3600_000),
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
    const view = await renderVote(core, work.tx, vote);
    if (!view) return;
    await work.enqueue(
      {
        type: 'send',
        chat: chatAddress(chat),
        text: view.text,
        options: view.buttons ? { buttons: view.buttons } : {},
      },
      { chatId: chat.id, onDone: { name: 'vote.posted', args: { voteId: vote.id } } },
    );
  },
};

/** A press on «Возражаю» / «Не возражаю». */
export async function onBallotButton(core: Core, work: Work, event: ButtonPressed): Promise<ButtonAnswer> {
  const [voteId, code] = event.data.slice(REINSTATEMENT_BUTTONS.ballot.length).split(':');
  const chat = await loadChat(core, work, event.chat);
  const t = core.texts.t(chat.settings.language);
  const repo = createVotesRepository(work.tx);
  const vote = await repo.vote(Number(voteId));
  if (!vote || vote.chatId !== chat.id) return { text: t('gate.unknown_button') };
  if (vote.status !== 'open') return { text: t('vote.closed') };
  const block = await createModerationRepository(work.tx).block(vote.blockId);
  if (!block) return { text: t('gate.unknown_button') };
  const account = await saveAccount(core, work, chat.platform, event.user);
  const voters = await repo.voterIds(vote.id);
  // Telegram lists no members, so the snapshot holds only members the bot had seen. Someone it never saw
  // join has been in the chat since before the bot came (joins after that are all seen): they may vote.
  if (!voters.has(account.id) && (await neverSawJoin(work.tx, chat.id, account.id))) {
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
      await enqueueVoteEdit(core, work.tx, updated);
    } else {
      // Too soon after the last edit: the render job edits the message once the spacing has passed.
      await repo.updateVote(vote.id, { ...counts, renderNeeded: true });
    }
  }
  return { text: t(choice === 'object' ? 'vote.cast_object' : 'vote.cast_no_objection') };
}

/**
 * Whether the bot never saw this member join the chat. Members who joined after the vote opened were
 * seen joining; members present at the opening are in the snapshot; so someone in neither has been in
 * the chat since before the bot and counts as present when the vote opened.
 */
async function neverSawJoin(tx: Tx, chatId: number, accountId: number): Promise<boolean> {
  const [row] = await tx
    .select({ joinedAt: chatMembers.joinedAt })
    .from(chatMembers)
    .where(and(eq(chatMembers.chatId, chatId), eq(chatMembers.accountId, accountId)));
  return !row?.joinedAt;
}

/** Edits vote messages whose counts changed while edits were being spaced out. */
export async function renderPendingVotes(core: Core): Promise<number> {
  return core.transact(async (work) => {
    const repo = createVotesRepository(work.tx);
    const due = await repo.claimRenders(new Date(work.now.getTime() - VOTE_EDIT_SPACING_MS), 100);
    for (const vote of due) {
      await repo.updateVote(vote.id, { renderedAt: work.now });
      await enqueueVoteEdit(core, work.tx, vote);
    }
    return due.length;
  });
}

/**
 * Closes votes whose time is up (a durable job that catches up after a restart and claims each vote
 * once across replicas): no objection lifts the block now through the same path as the scheduled
 * lift; any objection keeps it to its term. The tally is kept and the chat is told.
 */
export async function closeDueVotes(core: Core, batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const closed = await core.transact(async (work) => {
      const repo = createVotesRepository(work.tx);
      const due = await repo.claimDueVotes(work.now, batch);
      for (const vote of due) await settleVote(core, work, vote);
      return due.length;
    });
    total += closed;
    if (closed < batch) return total;
  }
}

async function settleVote(core: Core, work: Work, vote: VoteRow): Promise<void> {
  const repo = createVotesRepository(work.tx);
  const block = await createModerationRepository(work.tx).block(vote.blockId);
  const chat = await chatById(core, work.tx, vote.chatId);
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
  await enqueueVoteEdit(core, work.tx, { ...vote, ...counts }, outcome);
  const t = core.texts.t(chat.settings.language);
  const name = displayName(account);
  if (outcome === 'unblocked') {
    const key = block.mode === 'ban' ? 'vote.result_unblocked_ban' : 'vote.result_unblocked';
    await startLift(work, chat, block, 'vote', t(key, { name, noObjections: counts.noObjections }), null);
  } else if (outcome === 'kept') {
    const text = t('vote.result_kept', {
      name,
      ...counts,
      until: when(core, block.endsAt, chat.settings.language),
    });
    await work.enqueue({ type: 'send', chat: chatAddress(chat), text }, { chatId: chat.id });
  }
}

/** A block ended or was corrected before its vote closed: the vote closes as moot. */
export async function closeVotesAsMoot(core: Core, tx: Tx, blockId: number): Promise<void> {
  const repo = createVotesRepository(tx);
  const vote = await repo.openVote(blockId);
  if (!vote) return;
  const work: Work = {
    tx,
    now: core.clock.now(),
    enqueue: (action, options) => enqueue(tx, core.clock, action, options),
    afterCommit: () => {},
  };
  await settleVote(core, work, vote);
}

export function reinstatementOutcomeHandlers(core: Core): Map<string, OutcomeHandler> {
  return new Map<string, OutcomeHandler>([
    [
      'apology.announced',
      {
        async done(tx, args, result) {
          if (result?.messageId) {
            await createVotesRepository(tx).updateApology(Number(args.apologyId), {
              announcementMessageId: result.messageId,
            });
          }
        },
      },
    ],
    [
      'vote.posted',
      {
        async done(tx, args, result) {
          const repo = createVotesRepository(tx);
          const vote = await repo.vote(Number(args.voteId));
          if (!vote || !result?.messageId) return;
          await repo.updateVote(vote.id, { messageId: result.messageId, renderedAt: core.clock.now() });
          // Votes cast before the message id was known are shown now; a closed vote shows its result.
          const posted = { ...vote, messageId: result.messageId };
          if (vote.status === 'closed')
            await enqueueVoteEdit(core, tx, posted, (vote.outcome as 'kept') ?? 'moot');
          else if (vote.renderNeeded) {
            await repo.updateVote(vote.id, { renderNeeded: false });
            await enqueueVoteEdit(core, tx, posted);
          }
        },
      },
    ],
  ]);
}
