import type { AccountRecord } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createModerationRepository, type StrikeWithFacts } from '../../db/repos/strikes-blocks.js';
import type { UserInfo } from '../../messenger/port.js';
import { findRule } from '../../moderation/rules.js';
import { correctionLiftsBlock, decideStrike, isActiveStrike } from '../../moderation/strikes.js';
import type { CommandContext, CommandSpec } from '../../runtime/commands.js';
import { auditModeratorAction } from '../../runtime/commands.js';
import { day, displayName, excerpt, privateChatOf, when } from '../../runtime/format.js';
import { applyAction, startLift } from '../blocks/blocks.js';
import { chatsRepo } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { currentRules } from '../rules/rules-commands.js';

type GroupContext = CommandContext & { chat: ChatRecord };

/**
 * The person the command is about: the author of the replied message. Refuses (and says why) when
 * there is no such person or they may not be acted on.
 */
async function replyAuthor(
  ctx: GroupContext,
  usageKey: 'strike.usage_reply' | 'unstrike.usage' | 'report.usage',
): Promise<UserInfo | undefined> {
  const reply = ctx.event.replyTo;
  if (!reply) {
    await ctx.reply(ctx.t(usageKey));
    return undefined;
  }
  const sender = reply.sender;
  if (sender?.kind !== 'user') {
    await ctx.reply(ctx.t('strike.target_anonymous'));
    return undefined;
  }
  if (sender.user.userId === ctx.core.messenger(ctx.chat.platform).self.userId) {
    await ctx.reply(ctx.t('strike.target_self'));
    return undefined;
  }
  if (sender.user.isBot) {
    await ctx.reply(ctx.t('strike.target_bot'));
    return undefined;
  }
  return sender.user;
}

function moderatorName(ctx: GroupContext): string {
  return ctx.account ? displayName(ctx.account) : '';
}

function shownModerator(ctx: CommandContext, stored: string): string {
  return stored || ctx.t('strike.anonymous_moderator');
}

function active(strikes: StrikeWithFacts[], chat: ChatRecord, now: Date): StrikeWithFacts[] {
  return strikes.filter((strike) => isActiveStrike(strike.facts, chat.settings, now));
}

/** `/strike <rule> [reason]` as a reply (regulation 4.13.5, 4.13.7). */
export const strikeCommand: CommandSpec = {
  name: 'strike',
  audience: 'moderator',
  where: 'group',
  actsOnReplyAuthor: true,
  async run(ctx) {
    const { core, chat, work, t } = ctx;
    const target = await replyAuthor(ctx, 'strike.usage_reply');
    if (!target) return;
    const [ruleToken = '', ...reasonWords] = (ctx.event.command?.args ?? '').split(/\s+/).filter(Boolean);
    if (!ruleToken) return ctx.reply(t('strike.usage_rule'));
    const rules = await currentRules(core, work.tx, chat);
    const rule = findRule(rules.rules, ruleToken);
    if (!rule) {
      return ctx.reply(
        /\d/.test(ruleToken) ? t('strike.no_such_rule', { rule: ruleToken }) : t('strike.usage_rule'),
      );
    }
    if (ctx.replyAuthorIsModerator) return ctx.reply(t('strike.target_moderator'));

    await chatsRepo(core, work).lock(chat.id);
    const account = await saveAccount(core, work, chat.platform, target);
    const moderation = createModerationRepository(work.tx);
    const name = displayName(account);
    const existing = await moderation.liveBlock(chat.id, account.id);
    if (existing) {
      return ctx.reply(
        t('strike.target_blocked', { name, until: when(core, existing.endsAt, ctx.language) }),
      );
    }
    const history = await moderation.strikesOf(chat.id, account.id);
    const decision = decideStrike(
      history.map((strike) => strike.facts),
      chat.settings,
      work.now,
      core.deps.timeZone,
    );
    const reason = reasonWords.join(' ').trim() || null;
    const strike = await moderation.insertStrike({
      chatId: chat.id,
      accountId: account.id,
      moderatorAccountId: ctx.account?.id ?? null,
      moderatorName: moderatorName(ctx),
      ruleNumber: rule.number,
      ruleText: rule.text,
      rulesVersion: rules.version,
      reason,
      messageId: ctx.event.replyTo?.messageId ?? null,
      messageExcerpt: ctx.event.replyTo ? excerpt(ctx.event.replyTo.text) : null,
      createdAt: work.now,
    });
    await auditModeratorAction(ctx, {
      action: 'strike',
      targetAccountId: account.id,
      ruleNumber: rule.number,
      reason,
      details: {
        strikeId: strike.id,
        count: decision.count,
        limit: decision.limit,
        messageId: strike.messageId,
      },
    });

    if (decision.kind === 'record') {
      const lines = [
        t('strike.recorded', {
          name,
          count: decision.count,
          limit: decision.limit,
          rule: rule.number,
          ruleText: rule.text,
        }),
      ];
      if (reason) lines.push(t('strike.reason', { reason }));
      if (decision.lastBeforeBlock) {
        lines.push(t('strike.last_warning', { days: t('time.days', { count: chat.settings.block_days }) }));
      }
      return ctx.reply(lines.join(' '));
    }

    // Past the limit: block, consuming the strikes that led to it.
    const counted = [strike, ...active(history, chat, work.now)];
    const block = await moderation.insertBlock(
      {
        chatId: chat.id,
        accountId: account.id,
        mode: chat.settings.block_mode,
        startsAt: work.now,
        endsAt: decision.until,
        status: 'active',
        createdAt: work.now,
      },
      counted.map((s) => s.id),
    );
    const ruleNumbers = [...new Set(counted.map((s) => s.ruleNumber))].sort((a, b) => a - b);
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId: chat.schoolId,
      chatId: chat.id,
      actorKind: 'system',
      action: 'block',
      targetAccountId: account.id,
      ruleNumber: rule.number,
      reason: `strike_limit ${decision.limit} exceeded`,
      details: {
        blockId: block.id,
        mode: block.mode,
        until: block.endsAt.toISOString(),
        strikeIds: counted.map((s) => s.id),
        rules: ruleNumbers,
        causedBy: { moderatorAccountId: ctx.account?.id ?? null },
      },
    });
    const lines = [
      t('strike.blocked', {
        name,
        count: decision.count,
        limit: decision.limit,
        until: when(core, block.endsAt, ctx.language),
        mode: t(block.mode === 'ban' ? 'strike.mode_ban' : 'strike.mode_mute'),
        rules: ruleNumbers.join(', '),
      }),
    ];
    if (reason) lines.push(t('strike.reason', { reason }));
    // The chat is told once the platform has applied the block (block.applied), not before.
    await work.enqueue(applyAction(chat, account.platformUserId, block), {
      chatId: chat.id,
      onDone: {
        name: 'block.applied',
        args: { blockId: block.id, announcement: lines.join(' '), replyTo: ctx.event.messageId },
      },
      onFailed: { name: 'block.applied', args: { blockId: block.id } },
    });
  },
};

/** `/unstrike` as a reply: revokes the member's latest active strike (a moderator's mistake). */
export const unstrikeCommand: CommandSpec = {
  name: 'unstrike',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { core, chat, work, t } = ctx;
    const target = await replyAuthor(ctx, 'unstrike.usage');
    if (!target) return;
    await chatsRepo(core, work).lock(chat.id);
    const account = await saveAccount(core, work, chat.platform, target);
    const moderation = createModerationRepository(work.tx);
    const name = displayName(account);
    const current = active(await moderation.strikesOf(chat.id, account.id), chat, work.now);
    const latest = current[0];
    if (!latest) return ctx.reply(t('unstrike.none', { name }));
    await moderation.revokeStrike(latest.id, ctx.account?.id ?? null, work.now);
    await auditModeratorAction(ctx, {
      action: 'strike_revoked',
      targetAccountId: account.id,
      ruleNumber: latest.ruleNumber,
      details: { strikeId: latest.id },
    });
    const remaining = current.length - 1;
    await ctx.reply(
      t('unstrike.revoked', {
        name,
        rule: latest.ruleNumber,
        date: day(core, latest.createdAt, ctx.language),
        count: remaining,
        limit: chat.settings.strike_limit,
      }),
    );
    const block = await moderation.liveBlock(chat.id, account.id);
    if (block?.status === 'active' && correctionLiftsBlock(remaining, chat.settings)) {
      // The block rested on a strike that should not have been given: lift it, and let the other
      // strikes count again.
      await moderation.releaseStrikes(block.id);
      const text = t('strike.unblocked_correction', {
        name,
        count: remaining,
        limit: chat.settings.strike_limit,
      });
      await startLift(work, chat, block, 'correction', text, ctx.account?.id ?? null);
    }
  },
};

function strikeLines(ctx: CommandContext, strikes: StrikeWithFacts[]): string[] {
  return strikes.map((strike, index) => {
    const line = ctx.t('list.line', {
      index: index + 1,
      date: day(ctx.core, strike.createdAt, ctx.language),
      rule: strike.ruleNumber,
      ruleText: strike.ruleText,
      moderator: shownModerator(ctx, strike.moderatorName),
    });
    return strike.reason ? line + ctx.t('list.line_reason', { reason: strike.reason }) : line;
  });
}

async function memberReport(
  ctx: GroupContext,
  account: AccountRecord,
  own: boolean,
): Promise<{ text: string; count: number }> {
  const { core, chat, work, t } = ctx;
  const moderation = createModerationRepository(work.tx);
  const strikes = active(await moderation.strikesOf(chat.id, account.id), chat, work.now);
  const name = displayName(account);
  const block = await moderation.liveBlock(chat.id, account.id);
  const limit = chat.settings.strike_limit;
  const header =
    strikes.length === 0
      ? own
        ? t('list.own_none', { title: chat.title })
        : t('list.member_none', { name })
      : own
        ? t('list.own_header', {
            title: chat.title,
            strikes: t('strikes.count', { count: strikes.length }),
            limit,
          })
        : t('list.member_header', { name, strikes: t('strikes.count', { count: strikes.length }), limit });
  const lines = [header, ...strikeLines(ctx, strikes)];
  if (block) lines.push(t('list.blocked_until', { until: when(core, block.endsAt, ctx.language) }));
  return { text: lines.join('\n'), count: strikes.length };
}

/**
 * `/strikes`: a member sees their own strikes (privately when the bot may write to them); a moderator
 * replying sees that member's, and alone, everyone's in the chat.
 */
export const strikesCommand: CommandSpec = {
  name: 'strikes',
  audience: 'member',
  where: 'group',
  async run(ctx) {
    const { core, chat, work, t } = ctx;
    const author = ctx.event.replyTo?.sender;
    if (ctx.isModerator && author?.kind === 'user' && !author.user.isBot) {
      const account = await saveAccount(core, work, chat.platform, author.user);
      return ctx.reply((await memberReport(ctx, account, false)).text);
    }
    if (ctx.isModerator) return ctx.reply(await chatOverview(ctx));
    const account = ctx.account;
    if (!account) return;
    const report = await memberReport(ctx, account, true);
    if (account.privateChatOpen) {
      await work.enqueue({ type: 'send', chat: privateChatOf(account), text: report.text });
      return ctx.reply(t('list.sent_private'));
    }
    return ctx.reply(
      t('list.brief', {
        name: displayName(account),
        strikes: t('strikes.count', { count: report.count }),
        limit: chat.settings.strike_limit,
      }),
    );
  },
};

async function chatOverview(ctx: GroupContext): Promise<string> {
  const { core, chat, work, t } = ctx;
  const moderation = createModerationRepository(work.tx);
  const since = new Date(work.now.getTime() - chat.settings.strike_days * 24 * 3600 * 1000);
  const rows = await moderation.strikeHoldersOfChat(chat.id, since);
  const counts = new Map<number, { account: AccountRecord; count: number }>();
  for (const row of rows) {
    const facts = {
      createdAt: row.strike.createdAt,
      revokedAt: row.strike.revokedAt,
      block: row.strike.blockId === null ? null : { ended: row.blockStatus === 'lifted' },
    };
    if (!isActiveStrike(facts, chat.settings, work.now)) continue;
    const entry = counts.get(row.account.id) ?? { account: row.account as AccountRecord, count: 0 };
    entry.count += 1;
    counts.set(row.account.id, entry);
  }
  const blocked = new Map(
    (await moderation.liveBlocksOfChat(chat.id)).map((row) => [row.account.id, row.block]),
  );
  if (counts.size === 0 && blocked.size === 0) return t('list.chat_none');
  const lines = [...counts.values()]
    .sort((a, b) => b.count - a.count || displayName(a.account).localeCompare(displayName(b.account)))
    .map(({ account, count }) => {
      const block = blocked.get(account.id);
      const strikes = t('strikes.count', { count });
      const name = displayName(account);
      return block
        ? t('list.chat_line_blocked', { name, strikes, until: when(core, block.endsAt, ctx.language) })
        : t('list.chat_line', { name, strikes });
    });
  return [t('list.chat_header'), ...lines].join('\n');
}
