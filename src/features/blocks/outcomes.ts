import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { type BlockRow, createBlocksRepository } from '../../db/repos/blocks.js';
import { type ChatRecord, createChatsRepository, toChatRecord } from '../../db/repos/chats.js';
import { createStrikesRepository } from '../../db/repos/strikes.js';
import type { LiftReason } from '../../moderation/strikes.js';
import { type ActionError, outcome } from '../../outbox/outcomes.js';
import type { OutcomeHandlers } from '../../outbox/worker.js';
import { chatAddress, displayName, privateChatOf, when } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { applyAction } from './actions.js';

/** Told in the same transaction when blocks have been lifted for any reason but a vote. */
export type AfterLift = (work: Work, lifted: BlockRow[]) => Promise<void>;

type BlockOutcomes = Pick<OutcomeHandlers, 'block.applied' | 'block.lifted' | 'block.rejoin_link'>;

function why(services: Services, chat: ChatRecord, error: ActionError): string {
  const t = services.texts.t(chat.settings.language);
  if (error.code === 'NOT_ENOUGH_RIGHTS' || error.code === 'BOT_NOT_IN_CHAT') return t('block.why_rights');
  if (error.code === 'NOT_SUPERGROUP') return t('block.why_supergroup');
  if (error.code === 'USER_IS_ADMIN') return t('block.why_admin');
  // The platform's own words are for the log, not for parents.
  return t('block.why_refused');
}

/**
 * What happens once the platform has applied or lifted a block, or refused to. `afterLift` lets the
 * reinstatement feature close a vote the lift made moot without this feature knowing about votes.
 */
export function blockOutcomes(services: Services, afterLift: AfterLift): BlockOutcomes {
  const load = async (work: Work, blockId: number) => {
    const found = await createBlocksRepository(work.tx).blockInContext(blockId);
    if (!found) return undefined;
    return { ...found, chat: toChatRecord(found.chat, services.deps.defaultLanguage) };
  };
  const send = (work: Work, chat: ChatRecord, text: string, replyTo?: string) =>
    work.enqueue(
      { type: 'send', chat: chatAddress(chat), text, ...(replyTo ? { options: { replyTo } } : {}) },
      { chatId: chat.id },
    );

  return {
    'block.applied': {
      async done(work, args) {
        const found = await load(work, args.blockId);
        if (!found) return;
        const { block, chat } = found;
        if (block.status === 'active' && !block.appliedAt) {
          await createBlocksRepository(work.tx).setBlockStatus(block.id, 'active', { appliedAt: work.now });
        }
        if (args.announcement !== undefined && !block.appliedAt) {
          await send(work, chat, args.announcement, args.replyTo);
          if (args.notice)
            await work.enqueue({ type: 'send', chat: privateChatOf(found.account), text: args.notice });
        }
      },
      async failed(work, args, error) {
        const found = await load(work, args.blockId);
        if (found?.block.status !== 'active' || found.block.appliedAt) return;
        const { block, chat, account } = found;
        const blocks = createBlocksRepository(work.tx);
        const t = services.texts.t(chat.settings.language);
        if (error.code === 'NOT_SUPERGROUP' && block.mode === 'mute') {
          // The chat cannot make anyone read-only (a VK chat where the restriction is unavailable, a
          // basic group): the block becomes removal for the same term, as regulation 4.13.5 allows.
          await blocks.setBlockStatus(block.id, 'active', { mode: 'ban' });
          const announcement = t('block.blocked_fallback', {
            name: displayName(account),
            until: when(services, block.endsAt, chat.settings.language),
          });
          await work.enqueue(applyAction(chat, account.platformUserId, { ...block, mode: 'ban' }), {
            chatId: chat.id,
            onDone: outcome('block.applied', { blockId: block.id, announcement }),
            onFailed: outcome('block.applied', { blockId: block.id }),
          });
          return;
        }
        // Nobody is blocked in the records when nobody is blocked on the platform; the strikes count again.
        await blocks.setBlockStatus(block.id, 'failed');
        await createStrikesRepository(work.tx).releaseStrikes(block.id);
        await createAuditRepository(work.tx).append({
          at: work.now,
          schoolId: chat.schoolId,
          chatId: chat.id,
          actorKind: 'system',
          action: 'block_failed',
          targetAccountId: account.id,
          details: { blockId: block.id, error: error.message, code: error.code },
        });
        const text = t('block.failed', { name: displayName(account), why: why(services, chat, error) });
        await send(work, chat, text);
      },
    },
    'block.lifted': {
      // A thousand lifts due at once complete in batches: each batch reads, records and audits its blocks
      // in a few statements, not a few per block.
      async doneAll(work, outcomes) {
        const ids = outcomes.map(({ args }) => args.blockId);
        const found = new Map(
          (await createBlocksRepository(work.tx).blocksInContext(ids))
            .filter(({ block }) => block.status === 'lifting')
            .map((row) => [row.block.id, row]),
        );
        const lifts = outcomes.flatMap(({ args }) => {
          const row = found.get(args.blockId);
          // Recorded once, even if the batch names a block twice.
          found.delete(args.blockId);
          if (!row) return [];
          const chat = toChatRecord(row.chat, services.deps.defaultLanguage);
          return [{ ...row, chat, args, reason: args.reason ?? ('term' as LiftReason) }];
        });
        if (lifts.length === 0) return;
        await createBlocksRepository(work.tx).setLifted(
          lifts.map(({ block, reason }) => ({ blockId: block.id, reason })),
          work.now,
        );
        const moot = lifts.filter(({ reason }) => reason !== 'vote').map(({ block }) => block);
        if (moot.length > 0) await afterLift(work, moot);
        await createAuditRepository(work.tx).appendAll(
          lifts.map(({ block, chat, account, args, reason }) => ({
            at: work.now,
            schoolId: chat.schoolId,
            chatId: chat.id,
            actorKind: reason === 'correction' ? 'moderator' : 'system',
            actorAccountId: args.actorAccountId ?? null,
            action: 'unblock',
            targetAccountId: account.id,
            reason,
            details: { blockId: block.id, endsAt: block.endsAt.toISOString(), mode: block.mode },
          })),
        );
        for (const { block, chat, account, args } of lifts) {
          if (!args.announcement) continue;
          if (block.mode === 'ban' && !services.platform(chat.platform).capabilities.timedBan) {
            // The platform cannot let them back in itself: the announcement carries the chat's link.
            const rejoin = outcome('block.rejoin_link', {
              chatId: chat.id,
              announcement: args.announcement,
              accountId: account.id,
            });
            await work.enqueue(
              { type: 'create_invite', chat: chatAddress(chat), name: 'return' },
              { chatId: chat.id, onDone: rejoin, onFailed: rejoin },
            );
          } else {
            await send(work, chat, args.announcement);
          }
        }
      },
      async failed(work, args, error) {
        const found = await load(work, args.blockId);
        if (found?.block.status !== 'lifting') return;
        const { block, chat, account } = found;
        // Still blocked: the block is due again and the next run of the job retries the lift.
        const failures = block.liftFailures + 1;
        await createBlocksRepository(work.tx).setBlockStatus(block.id, 'active', { liftFailures: failures });
        await createAuditRepository(work.tx).append({
          at: work.now,
          schoolId: chat.schoolId,
          chatId: chat.id,
          actorKind: 'system',
          action: 'lift_failed',
          targetAccountId: account.id,
          details: { blockId: block.id, error: error.message, code: error.code, failures },
        });
        if (failures === 1) {
          const t = services.texts.t(chat.settings.language);
          await send(
            work,
            chat,
            t('block.lift_failed', { name: displayName(account), why: why(services, chat, error) }),
          );
        }
      },
    },
    'block.rejoin_link': {
      async done(work, args, result) {
        const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(args.chatId);
        if (!chat) return;
        const t = services.texts.t(chat.settings.language);
        const link = result?.url ? `\n${t('block.rejoin_link', { url: result.url })}` : '';
        await send(work, chat, `${args.announcement}${link}`);
        // The member is out of the chat and does not see it there: the link goes to them privately too.
        const account = args.accountId
          ? await createAccountsRepository(work.tx).byId(args.accountId)
          : undefined;
        if (account && result?.url) {
          await work.enqueue(
            {
              type: 'send',
              chat: privateChatOf(account),
              text: t('block.rejoin_private', { title: chat.title, url: result.url }),
            },
            { chatId: chat.id },
          );
        }
      },
      async failed(work, args) {
        const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(args.chatId);
        if (chat) await send(work, chat, args.announcement);
      },
    },
  };
}
