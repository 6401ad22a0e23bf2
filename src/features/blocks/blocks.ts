import type { Tx } from '../../db/client.js';
import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import { type BlockRow, createModerationRepository } from '../../db/repos/strikes-blocks.js';
import type { Action } from '../../outbox/actions.js';
import { type ActionError, enqueue, type OutcomeHandler } from '../../outbox/outbox.js';
import { chatAddress, displayName, when } from '../../runtime/format.js';
import type { Core, Work } from '../../runtime/services.js';
import { chatsRepo } from '../chats/chats.js';
import { closeVotesAsMoot } from '../reinstatement/reinstatement.js';

export type LiftReason = 'term' | 'vote' | 'correction';

/** The platform action that puts a block in place: read-only until the end, or removal until the end. */
export function applyAction(
  chat: ChatRecord,
  userId: string,
  block: Pick<BlockRow, 'mode' | 'endsAt'>,
): Action {
  const address = chatAddress(chat);
  return block.mode === 'ban'
    ? { type: 'ban', chat: address, userId, until: block.endsAt.toISOString() }
    : { type: 'mute', chat: address, userId, until: block.endsAt.toISOString() };
}

/** The platform action that lifts a block; a ban is lifted only if it is still in place. */
export function liftAction(chat: ChatRecord, userId: string, block: Pick<BlockRow, 'mode'>): Action {
  const address = chatAddress(chat);
  return block.mode === 'ban'
    ? { type: 'unban', chat: address, userId }
    : { type: 'unmute', chat: address, userId };
}

/**
 * Starts lifting a block: it stays `lifting` (still a block) until the platform confirms, then the
 * `block.lifted` handler records it and tells the chat. A lift the platform refuses leaves the block
 * due, so the next run tries again; it is never marked lifted when the platform did not lift it.
 */
export async function startLift(
  work: Work,
  chat: ChatRecord,
  block: BlockRow,
  reason: LiftReason,
  announcement: string,
  actorAccountId: number | null,
): Promise<void> {
  const moderation = createModerationRepository(work.tx);
  if (block.status !== 'lifting')
    await moderation.setBlockStatus(block.id, 'lifting', { liftReason: reason });
  const account = await createAccountsRepository(work.tx).byId(block.accountId);
  if (!account) throw new Error(`block ${block.id} has no account`);
  // A newcomer who has not accepted the rules yet stays read-only after the block: the gate holds them.
  const gated =
    block.mode === 'mute' && (await createGateRepository(work.tx).pendingEntry(chat.id, account.id));
  const action: Action = gated
    ? { type: 'mute', chat: chatAddress(chat), userId: account.platformUserId }
    : liftAction(chat, account.platformUserId, block);
  await work.enqueue(action, {
    chatId: chat.id,
    onDone: { name: 'block.lifted', args: { blockId: block.id, reason, announcement, actorAccountId } },
    onFailed: { name: 'block.lifted', args: { blockId: block.id } },
  });
}

function why(core: Core, chat: ChatRecord, error: ActionError): string {
  const t = core.texts.t(chat.settings.language);
  if (error.code === 'NOT_ENOUGH_RIGHTS' || error.code === 'BOT_NOT_IN_CHAT') return t('strike.why_rights');
  if (error.code === 'NOT_SUPERGROUP') return t('strike.why_supergroup');
  if (error.code === 'USER_IS_ADMIN') return t('strike.why_admin');
  return t('strike.why_refused', { error: error.message });
}

async function context(core: Core, tx: Tx, blockId: number) {
  const block = await createModerationRepository(tx).block(blockId);
  if (!block) return undefined;
  const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(block.chatId);
  const account = await createAccountsRepository(tx).byId(block.accountId);
  if (!chat || !account) return undefined;
  return { block, chat, account };
}

/** What happens once the platform has applied or lifted a block, or refused to. */
export function blockOutcomeHandlers(core: Core): Map<string, OutcomeHandler> {
  const enqueueIn = (tx: Tx) => (action: Action, chatId: number) =>
    enqueue(tx, core.clock, action, { chatId });

  return new Map<string, OutcomeHandler>([
    [
      'block.applied',
      {
        async done(tx, args) {
          const found = await context(core, tx, Number(args.blockId));
          if (!found) return;
          const { block, chat } = found;
          if (block.status === 'active' && !block.appliedAt) {
            await createModerationRepository(tx).setBlockStatus(block.id, 'active', {
              appliedAt: core.clock.now(),
            });
          }
          if (typeof args.announcement === 'string' && !block.appliedAt) {
            const options = typeof args.replyTo === 'string' ? { replyTo: args.replyTo } : undefined;
            await enqueueIn(tx)(
              {
                type: 'send',
                chat: chatAddress(chat),
                text: args.announcement,
                ...(options ? { options } : {}),
              },
              chat.id,
            );
          }
        },
        async failed(tx, args, error) {
          const found = await context(core, tx, Number(args.blockId));
          if (found?.block.status !== 'active' || found.block.appliedAt) return;
          const { block, chat, account } = found;
          const moderation = createModerationRepository(tx);
          if (error.code === 'NOT_SUPERGROUP' && block.mode === 'mute') {
            // The chat cannot make anyone read-only (a VK chat where the restriction is unavailable, a
            // basic group): the block becomes removal for the same term, as regulation 4.13.5 allows.
            await moderation.setBlockStatus(block.id, 'active', { mode: 'ban' });
            const t = core.texts.t(chat.settings.language);
            const announcement = t('strike.blocked_fallback', {
              name: displayName(account),
              until: when(core, block.endsAt, chat.settings.language),
            });
            await enqueue(
              tx,
              core.clock,
              applyAction(chat, account.platformUserId, { ...block, mode: 'ban' }),
              {
                chatId: chat.id,
                onDone: { name: 'block.applied', args: { blockId: block.id, announcement } },
                onFailed: { name: 'block.applied', args: { blockId: block.id } },
              },
            );
            return;
          }
          // Nobody is blocked in the records when nobody is blocked on the platform; the strikes count again.
          await moderation.setBlockStatus(block.id, 'failed');
          await moderation.releaseStrikes(block.id);
          await createAuditRepository(tx).append({
            at: core.clock.now(),
            schoolId: chat.schoolId,
            chatId: chat.id,
            actorKind: 'system',
            action: 'block_failed',
            targetAccountId: account.id,
            details: { blockId: block.id, error: error.message, code: error.code },
          });
          const t = core.texts.t(chat.settings.language);
          const text = t('strike.block_failed', { name: displayName(account), why: why(core, chat, error) });
          await enqueueIn(tx)({ type: 'send', chat: chatAddress(chat), text }, chat.id);
        },
      },
    ],
    [
      'block.lifted',
      {
        async done(tx, args) {
          const found = await context(core, tx, Number(args.blockId));
          if (found?.block.status !== 'lifting') return;
          const { block, chat, account } = found;
          const reason = (args.reason as LiftReason | undefined) ?? 'term';
          const now = core.clock.now();
          await createModerationRepository(tx).setBlockStatus(block.id, 'lifted', {
            liftedAt: now,
            liftReason: reason,
          });
          // A vote still open on this block has nothing left to decide.
          if (reason !== 'vote') await closeVotesAsMoot(core, tx, block.id);
          await createAuditRepository(tx).append({
            at: now,
            schoolId: chat.schoolId,
            chatId: chat.id,
            actorKind: reason === 'correction' ? 'moderator' : 'system',
            actorAccountId: typeof args.actorAccountId === 'number' ? args.actorAccountId : null,
            action: 'unblock',
            targetAccountId: account.id,
            reason,
            details: { blockId: block.id, endsAt: block.endsAt.toISOString(), mode: block.mode },
          });
          if (typeof args.announcement === 'string' && args.announcement) {
            if (block.mode === 'ban' && !core.messenger(chat.platform).capabilities.timedBan) {
              // The platform cannot let them back in itself: the announcement carries the chat's link.
              await enqueue(
                tx,
                core.clock,
                { type: 'create_invite', chat: chatAddress(chat), name: 'return' },
                {
                  chatId: chat.id,
                  onDone: {
                    name: 'block.rejoin_link',
                    args: { chatId: chat.id, announcement: args.announcement },
                  },
                  onFailed: {
                    name: 'block.rejoin_link',
                    args: { chatId: chat.id, announcement: args.announcement },
                  },
                },
              );
            } else {
              await enqueueIn(tx)(
                { type: 'send', chat: chatAddress(chat), text: args.announcement },
                chat.id,
              );
            }
          }
        },
        async failed(tx, args, error) {
          const found = await context(core, tx, Number(args.blockId));
          if (found?.block.status !== 'lifting') return;
          const { block, chat, account } = found;
          // Still blocked: the block is due again and the next run of the job retries the lift.
          const failures = block.liftFailures + 1;
          await createModerationRepository(tx).setBlockStatus(block.id, 'active', { liftFailures: failures });
          await createAuditRepository(tx).append({
            at: core.clock.now(),
            schoolId: chat.schoolId,
            chatId: chat.id,
            actorKind: 'system',
            action: 'lift_failed',
            targetAccountId: account.id,
            details: { blockId: block.id, error: error.message, code: error.code, failures },
          });
          if (failures === 1) {
            const t = core.texts.t(chat.settings.language);
            const text = t('strike.lift_failed', { name: displayName(account), why: why(core, chat, error) });
            await enqueueIn(tx)({ type: 'send', chat: chatAddress(chat), text }, chat.id);
          }
        },
      },
    ],
    [
      'block.rejoin_link',
      {
        async done(tx, args, result) {
          const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(Number(args.chatId));
          if (!chat) return;
          const t = core.texts.t(chat.settings.language);
          const link = result?.url ? `\n${t('strike.rejoin_link', { url: result.url })}` : '';
          await enqueueIn(tx)(
            { type: 'send', chat: chatAddress(chat), text: `${String(args.announcement)}${link}` },
            chat.id,
          );
        },
        async failed(tx, args) {
          const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(Number(args.chatId));
          if (chat)
            await enqueueIn(tx)(
              { type: 'send', chat: chatAddress(chat), text: String(args.announcement) },
              chat.id,
            );
        },
      },
    ],
  ]);
}

/** The words the chat reads when a block's term is over. */
export function termEndedText(core: Core, chat: ChatRecord, name: string, mode: string): string {
  const t = core.texts.t(chat.settings.language);
  return t(mode === 'ban' ? 'strike.unblocked_term_ban' : 'strike.unblocked_term', { name });
}

/**
 * The scheduled lift (regulation 4.13.5 "up to one month"): every block whose term has ended is
 * claimed — once, even with several replicas — and lifted on the platform. After downtime the first
 * run catches up on everything overdue.
 */
export async function liftDueBlocks(core: Core, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const claimed = await core.transact(async (work) => {
      const due = await createModerationRepository(work.tx).claimDueBlocks(work.now, batch);
      for (const block of due) {
        const chat = await chatsRepo(core, work).byId(block.chatId);
        const account = await createAccountsRepository(work.tx).byId(block.accountId);
        if (!chat || !account) continue;
        await startLift(
          work,
          chat,
          block,
          'term',
          termEndedText(core, chat, displayName(account), block.mode),
          null,
        );
      }
      return due.length;
    });
    total += claimed;
    if (claimed < batch) return total;
  }
}

/**
 * A blocked member came back during the term (left and rejoined, or was let back in by an admin): the
 * block is put on them again for the rest of the term.
 */
export async function reapplyOnRejoin(work: Work, chat: ChatRecord, accountId: number, userId: string) {
  const block = await createModerationRepository(work.tx).liveBlock(chat.id, accountId);
  if (block?.status !== 'active' || block.endsAt.getTime() <= work.now.getTime()) return;
  await work.enqueue(applyAction(chat, userId, block), { chatId: chat.id });
  await createAuditRepository(work.tx).append({
    at: work.now,
    schoolId: chat.schoolId,
    chatId: chat.id,
    actorKind: 'system',
    action: 'block_reapplied',
    targetAccountId: accountId,
    details: { blockId: block.id, until: block.endsAt.toISOString() },
  });
}
