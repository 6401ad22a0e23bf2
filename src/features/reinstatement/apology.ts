import type { AccountRecord } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { type BlockRow, createBlocksRepository } from '../../db/repos/blocks.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import { type ApologyRow, createVotesRepository } from '../../db/repos/votes.js';
import type { ButtonPressed, ButtonSpec } from '../../messenger/port.js';
import { outcome } from '../../outbox/outcomes.js';
import type { ButtonAnswer } from '../../runtime/buttons.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { chatAddress, displayName, excerpt } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { saveAccount } from '../membership/members.js';

/** Callback data prefixes of reinstatement's buttons. */
export const REINSTATEMENT_BUTTONS = { apologyChat: 'a:', ballot: 'v:' } as const;
export const MAX_APOLOGY = 1000;

/** Records an apology for a block and tells the chat, pointing moderators to /unblock. */
export async function recordApology(
  services: Services,
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
    const t = services.texts.t(chat.settings.language);
    await work.enqueue(
      {
        type: 'send',
        chat: chatAddress(chat),
        text: t('apology.announced', { name: displayName(account), text: apology.text }),
      },
      { chatId: chat.id, onDone: outcome('apology.announced', { apologyId: apology.id }) },
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
    if (!text) return ctx.refuse(ctx.t('apology.usage'));
    if (text.length > MAX_APOLOGY) return ctx.refuse(ctx.t('apology.too_long', { max: MAX_APOLOGY }));
    const block = await createBlocksRepository(ctx.work.tx).liveBlock(ctx.chat.id, ctx.account.id);
    if (block?.status !== 'active') return ctx.refuse(ctx.t('apology.not_blocked'));
    await recordApology(ctx.services, ctx.work, ctx.chat, block, ctx.account, text, { kind: 'member' });
  },
  async runPrivate(ctx) {
    const { services, work, t, account } = ctx;
    const text = (ctx.event.command?.args ?? '').trim();
    if (!account) return;
    if (!text) return ctx.refuse(t('apology.usage'));
    if (text.length > MAX_APOLOGY) return ctx.refuse(t('apology.too_long', { max: MAX_APOLOGY }));
    const repo = createVotesRepository(work.tx);
    const live = await repo.liveBlocksOf(account.id);
    if (live.length === 0) return ctx.refuse(t('apology.not_blocked'));
    if (live.length === 1) {
      const [{ block, chat: row }] = live as [(typeof live)[number]];
      const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(row.id);
      if (!chat) return;
      await recordApology(services, work, chat, block, account, text, { kind: 'member' });
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
  services: Services,
  work: Work,
  event: ButtonPressed,
  apologyId: number,
  blockId: number,
): Promise<ButtonAnswer> {
  const t0 = services.texts.t(services.texts.languageFor(event.user.languageCode));
  const repo = createVotesRepository(work.tx);
  const apology = await repo.apology(apologyId);
  const account = await saveAccount(services, work, event.chat.platform, event.user, {
    privateChatOpen: true,
  });
  if (!apology || apology.accountId !== account.id) return { text: t0('gate.unknown_button') };
  if (apology.blockId !== null) return { text: t0('apology.already_chosen') };
  const block = await createBlocksRepository(work.tx).block(blockId);
  const chat = block
    ? await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(block.chatId)
    : undefined;
  if (!block || !chat || block.accountId !== account.id || block.status !== 'active') {
    return { text: t0('apology.not_blocked') };
  }
  await recordApology(services, work, chat, block, account, apology.text, { kind: 'member' }, apology);
  const text = services.texts.t(chat.settings.language)('apology.recorded', { title: chat.title });
  await work.enqueue({
    type: 'edit',
    chat: { platform: event.chat.platform, platformChatId: event.chat.platformChatId },
    messageId: event.messageId,
    text,
  });
  return { text };
}
