import { type AccountRecord, createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { type BlockRow, createBlocksRepository } from '../../db/repos/blocks.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import type { BlockMode, LiftReason } from '../../moderation/strikes.js';
import type { Action } from '../../outbox/actions.js';
import { outcome } from '../../outbox/outcomes.js';
import { chatAddress, displayName } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { chatsRepo } from '../chats/chats.js';
import { applyAction, liftAction } from './actions.js';

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
  /** The member's account and whether the rules gate holds them, when the caller read them in bulk. */
  known?: { account: AccountRecord; gated: boolean },
): Promise<void> {
  if (block.status !== 'lifting') {
    await createBlocksRepository(work.tx).setBlockStatus(block.id, 'lifting', { liftReason: reason });
  }
  const account = known?.account ?? (await createAccountsRepository(work.tx).byId(block.accountId));
  if (!account) throw new Error(`block ${block.id} has no account`);
  // A newcomer who has not accepted the rules yet stays read-only after the block: the gate holds them.
  const gated =
    block.mode === 'mute' &&
    (known ? known.gated : Boolean(await createGateRepository(work.tx).pendingEntry(chat.id, account.id)));
  const action: Action = gated
    ? { type: 'mute', chat: chatAddress(chat), userId: account.platformUserId }
    : liftAction(chat, account.platformUserId, block);
  await work.enqueue(action, {
    chatId: chat.id,
    onDone: outcome('block.lifted', { blockId: block.id, reason, announcement, actorAccountId }),
    onFailed: outcome('block.lifted', { blockId: block.id }),
  });
}

/** The words the chat reads when a block's term is over. */
export function termEndedText(services: Services, chat: ChatRecord, name: string, mode: BlockMode): string {
  const t = services.texts.t(chat.settings.language);
  return t(mode === 'ban' ? 'block.unblocked_term_ban' : 'block.unblocked_term', { name });
}

/**
 * The scheduled lift (regulation 4.13.5 "up to one month"): every block whose term has ended is
 * claimed — once, even with several replicas — and lifted on the platform. After downtime the first
 * run catches up on everything overdue.
 */
export async function liftDueBlocks(services: Services, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const claimed = await services.transact(async (work) => {
      const due = await createBlocksRepository(work.tx).claimDueBlocks(work.now, batch);
      // The chats, the members and who of them the gate holds, read for the whole batch at once.
      const chats = byId(await chatsRepo(services, work).byIds(unique(due.map((block) => block.chatId))));
      const accounts = byId(
        await createAccountsRepository(work.tx).byIds(unique(due.map((block) => block.accountId))),
      );
      const gated = await createGateRepository(work.tx).pendingAmong(
        due.filter((block) => block.mode === 'mute'),
      );
      for (const block of due) {
        const chat = chats.get(block.chatId);
        const account = accounts.get(block.accountId);
        if (!chat || !account) continue;
        const text = termEndedText(services, chat, displayName(account), block.mode);
        await startLift(work, chat, block, 'term', text, null, {
          account,
          gated: gated.has(`${block.chatId}:${block.accountId}`),
        });
      }
      return due.length;
    });
    total += claimed;
    if (claimed < batch) return total;
  }
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}

function byId<T extends { id: number }>(rows: T[]): Map<number, T> {
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * A blocked member came back during the term (left and rejoined, or was let back in by an admin): the
 * block is put on them again for the rest of the term.
 */
export async function reapplyOnRejoin(work: Work, chat: ChatRecord, accountId: number, userId: string) {
  const block = await createBlocksRepository(work.tx).liveBlock(chat.id, accountId);
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
