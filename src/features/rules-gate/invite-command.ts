import { and, count, countDistinct, eq, inArray, sql } from 'drizzle-orm';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import { acceptances, blocks, chatMembers, gateEntries, strikes, votes } from '../../db/schema.js';
import { formatRules } from '../../moderation/rules.js';
import { isActiveStrike } from '../../moderation/strikes.js';
import type { OutcomeHandler } from '../../outbox/outbox.js';
import { enqueue } from '../../outbox/outbox.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { chatAddress } from '../../runtime/format.js';
import type { Core } from '../../runtime/services.js';
import { currentRules } from '../rules/rules-commands.js';
import { GATE_BUTTONS } from './gate.js';

/** Telegram keeps link names to 32 characters. */
function linkName(prefix: string, date: Date): string {
  return `${prefix} ${date.toISOString().slice(0, 10)}`.slice(0, 32);
}

/** `/invite`: a join-request link; people who use it accept the rules before they are let in. */
export const inviteCommand: CommandSpec = {
  name: 'invite',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work } = ctx;
    await work.enqueue(
      { type: 'create_invite', chat: chatAddress(chat), name: linkName(ctx.t('invite.link_name'), work.now) },
      {
        chatId: chat.id,
        onDone: {
          name: 'gate.invite_created',
          args: { chatId: chat.id, replyTo: ctx.event.messageId, createdBy: ctx.account?.id ?? null },
        },
        onFailed: { name: 'gate.invite_created', args: { chatId: chat.id, replyTo: ctx.event.messageId } },
      },
    );
  },
};

export function inviteOutcomeHandlers(core: Core): Map<string, OutcomeHandler> {
  return new Map<string, OutcomeHandler>([
    [
      'gate.invite_created',
      {
        async done(tx, args, result) {
          const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(Number(args.chatId));
          if (!chat || !result?.url) return;
          const now = core.clock.now();
          await createGateRepository(tx).insertInviteLink({
            chatId: chat.id,
            url: result.url,
            name: 'invite',
            kind: 'chat',
            createdByAccountId: typeof args.createdBy === 'number' ? args.createdBy : null,
            createdAt: now,
          });
          const t = core.texts.t(chat.settings.language);
          const key = !core.messenger(chat.platform).capabilities.joinRequests
            ? 'invite.created_no_requests'
            : chat.settings.rules_gate === 'on'
              ? 'invite.created'
              : 'invite.created_open';
          await enqueue(
            tx,
            core.clock,
            {
              type: 'send',
              chat: chatAddress(chat),
              text: t(key, { title: chat.title, url: result.url }),
              options: { replyTo: String(args.replyTo) },
            },
            { chatId: chat.id },
          );
        },
        async failed(tx, args, error) {
          const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(Number(args.chatId));
          if (!chat) return;
          const t = core.texts.t(chat.settings.language);
          const why = error.code === 'NOT_ENOUGH_RIGHTS' ? t('invite.why_rights') : error.message;
          await enqueue(
            tx,
            core.clock,
            {
              type: 'send',
              chat: chatAddress(chat),
              text: t('invite.failed', { why }),
              options: { replyTo: String(args.replyTo) },
            },
            { chatId: chat.id },
          );
        },
      },
    ],
  ]);
}

/** `/rules confirm` (moderator): the rules with the accept button; acceptances are recorded, nobody restricted. */
export async function postRulesConfirmation(ctx: Parameters<CommandSpec['run']>[0]): Promise<void> {
  const rules = await currentRules(ctx.core, ctx.work.tx, ctx.chat);
  const text = [ctx.t('gate.confirm_intro', { version: rules.version }), formatRules(rules.rules)].join(
    '\n\n',
  );
  await ctx.work.enqueue(
    {
      type: 'send',
      chat: chatAddress(ctx.chat),
      text,
      options: {
        buttons: [[{ text: ctx.t('gate.button'), data: `${GATE_BUTTONS.confirm}${rules.version}` }]],
      },
    },
    { chatId: ctx.chat.id },
  );
}

/** `/stats`: counts for the chat — members, acceptances, strikes, blocks, votes. */
export const statsCommand: CommandSpec = {
  name: 'stats',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work, t } = ctx;
    const tx = work.tx;
    const rules = await currentRules(ctx.core, tx, chat);
    const [members] = await tx
      .select({ n: count() })
      .from(chatMembers)
      .where(and(eq(chatMembers.chatId, chat.id), inArray(chatMembers.status, ['member', 'restricted'])));
    const [current] = await tx
      .select({ n: countDistinct(acceptances.accountId) })
      .from(acceptances)
      .where(and(eq(acceptances.chatId, chat.id), eq(acceptances.rulesVersion, rules.version)));
    const [any] = await tx
      .select({ n: countDistinct(acceptances.accountId) })
      .from(acceptances)
      .where(eq(acceptances.chatId, chat.id));
    const [pending] = await tx
      .select({ n: count() })
      .from(gateEntries)
      .where(and(eq(gateEntries.chatId, chat.id), eq(gateEntries.status, 'pending')));
    const strikeRows = await tx
      .select({
        createdAt: strikes.createdAt,
        revokedAt: strikes.revokedAt,
        blockId: strikes.blockId,
        blockStatus: blocks.status,
      })
      .from(strikes)
      .leftJoin(blocks, eq(blocks.id, strikes.blockId))
      .where(eq(strikes.chatId, chat.id));
    const activeStrikes = strikeRows.filter((row) =>
      isActiveStrike(
        {
          createdAt: row.createdAt,
          revokedAt: row.revokedAt,
          block: row.blockId === null ? null : { ended: row.blockStatus === 'lifted' },
        },
        chat.settings,
        work.now,
      ),
    ).length;
    const [blockCounts] = await tx
      .select({
        total: sql<number>`count(*) filter (where ${blocks.status} <> 'failed')::int`,
        active: sql<number>`count(*) filter (where ${blocks.status} in ('active', 'lifting'))::int`,
      })
      .from(blocks)
      .where(eq(blocks.chatId, chat.id));
    const [voteCounts] = await tx
      .select({
        total: sql<number>`count(*)::int`,
        unblocked: sql<number>`count(*) filter (where ${votes.outcome} = 'unblocked')::int`,
        kept: sql<number>`count(*) filter (where ${votes.outcome} = 'kept')::int`,
      })
      .from(votes)
      .where(eq(votes.chatId, chat.id));
    const lines = [
      t('stats.header', { title: chat.title }),
      t('stats.members', { count: Number(members?.n ?? 0) }),
      t('stats.acceptances', { version: rules.version, count: Number(current?.n ?? 0) }),
      t('stats.acceptances_any', { count: Number(any?.n ?? 0) }),
      t('stats.pending', { count: Number(pending?.n ?? 0) }),
      t('stats.strikes', { active: activeStrikes, total: strikeRows.length }),
      t('stats.blocks', { active: Number(blockCounts?.active ?? 0), total: Number(blockCounts?.total ?? 0) }),
      t('stats.votes', {
        total: Number(voteCounts?.total ?? 0),
        unblocked: Number(voteCounts?.unblocked ?? 0),
        kept: Number(voteCounts?.kept ?? 0),
      }),
    ];
    await ctx.reply(lines.join('\n'));
  },
};
