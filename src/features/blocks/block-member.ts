import type { AccountRecord } from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import type { StrikeRow } from '../../db/repos/strikes.js';
import { createStrikesRepository } from '../../db/repos/strikes.js';
import { outcome } from '../../outbox/outcomes.js';
import { when } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { applyAction } from './actions.js';

export interface BlockRequest {
  chat: ChatRecord;
  account: AccountRecord;
  /** The strikes that took the member past the limit; the block consumes them. */
  strikes: Pick<StrikeRow, 'id' | 'ruleNumber'>[];
  /** The rule the last strike cited, and the limit that was passed. */
  rule: number;
  limit: number;
  until: Date;
  moderatorAccountId: number | null;
  /** What the chat reads once the platform has applied the block, and the message it answers. */
  announcement: (ruleNumbers: number[]) => string;
  /** What the member reads privately (with the moderator's reason), when the bot may write to them. */
  notice: (ruleNumbers: number[]) => string;
  replyTo?: string;
}

/**
 * What happens on the strike past the limit (regulation 4.13.5): the member is blocked for the chat's
 * `block_days` (never past a month), the block is recorded and audited, and the platform is asked to
 * apply it. The chat is told once the platform has applied it (`block.applied`), not before.
 */
export async function blockMember(work: Work, request: BlockRequest): Promise<void> {
  const { chat, account } = request;
  const strikeIds = request.strikes.map((strike) => strike.id);
  const ruleNumbers = [...new Set(request.strikes.map((strike) => strike.ruleNumber))].sort((a, b) => a - b);
  // The block, the strikes it consumes and its audit entry in one statement.
  const block = await createBlocksRepository(work.tx).insertBlockAudited(
    {
      chatId: chat.id,
      accountId: account.id,
      mode: chat.settings.block_mode,
      startsAt: work.now,
      endsAt: request.until,
      status: 'active',
      createdAt: work.now,
    },
    strikeIds,
    {
      at: work.now,
      schoolId: chat.schoolId,
      chatId: chat.id,
      actorKind: 'system',
      action: 'block',
      targetAccountId: account.id,
      ruleNumber: request.rule,
      reason: `strike_limit ${request.limit} exceeded`,
      details: {
        mode: chat.settings.block_mode,
        until: request.until.toISOString(),
        strikeIds,
        rules: ruleNumbers,
        causedBy: { moderatorAccountId: request.moderatorAccountId },
      },
    },
  );
  const announcement = request.announcement(ruleNumbers);
  const notice = account.privateChatOpen ? request.notice(ruleNumbers) : undefined;
  await work.enqueue(applyAction(chat, account.platformUserId, block), {
    chatId: chat.id,
    onDone: outcome('block.applied', {
      blockId: block.id,
      announcement,
      ...(notice ? { notice } : {}),
      ...(request.replyTo ? { replyTo: request.replyTo } : {}),
    }),
    onFailed: outcome('block.applied', { blockId: block.id }),
  });
}

/** What a blocked member's link to the bot carries: `/start blocked` answers with their blocks. */
export const BLOCK_START_PAYLOAD = 'blocked';

/** Texts in the member's own language, for what the bot writes to them privately. */
export function memberTexts(services: Services, account: Pick<AccountRecord, 'languageCode'>) {
  return services.texts.t(services.texts.languageFor(account.languageCode ?? undefined));
}

/**
 * What `/start blocked` answers (the link in a block announcement): each running block of the person,
 * its term and rules, and how to apologise; undefined when they are not blocked anywhere.
 */
export async function blocksNotice(services: Services, work: Work, account: AccountRecord) {
  const live = await createBlocksRepository(work.tx).liveBlocksOfAccount(account.id);
  if (live.length === 0) return undefined;
  const mt = memberTexts(services, account);
  const language = services.texts.languageFor(account.languageCode ?? undefined);
  const lines: string[] = [];
  for (const { block, title } of live) {
    const rules = await createStrikesRepository(work.tx).rulesOfBlock(block.id);
    lines.push(
      mt('block.private', {
        title,
        until: when(services, block.endsAt, language),
        mode: mt(block.mode === 'ban' ? 'block.mode_ban' : 'block.mode_mute'),
        rules: rules.join(', '),
      }),
    );
  }
  lines.push(mt('block.how_to_apologize'));
  return lines.join('\n\n');
}
