import type { AccountRecord } from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import { createStrikesRepository, type StrikeWithFacts, strikeFacts } from '../../db/repos/strikes.js';
import { sentence } from '../../lib/text.js';
import { isActiveStrike } from '../../moderation/strikes.js';
import type { CommandContext, CommandSpec, GroupContext } from '../../runtime/commands.js';
import { day, displayName, privateChatOf, when } from '../../runtime/format.js';
import { saveAccount } from '../membership/members.js';
import { active } from './strike-command.js';

function shownModerator(ctx: CommandContext, stored: string): string {
  return stored || ctx.t('strike.anonymous_moderator');
}

function strikeLines(ctx: CommandContext, strikes: StrikeWithFacts[]): string[] {
  return strikes.map((strike, index) => {
    const line = ctx.t('list.line', {
      index: index + 1,
      date: day(ctx.services, strike.createdAt, ctx.language),
      rule: strike.ruleNumber,
      ruleText: sentence(strike.ruleText),
      moderator: shownModerator(ctx, strike.moderatorName),
    });
    return strike.reason ? line + ctx.t('list.line_reason', { reason: sentence(strike.reason) }) : line;
  });
}

async function memberReport(
  ctx: GroupContext,
  account: AccountRecord,
  own: boolean,
): Promise<{ text: string; count: number }> {
  const { services, chat, work, t } = ctx;
  const strikes = active(
    await createStrikesRepository(work.tx).strikesOf(chat.id, account.id),
    chat.settings,
    work.now,
  );
  const name = displayName(account);
  const block = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
  const limit = chat.settings.strike_limit;
  const count = t('strikes.count', { count: strikes.length });
  const header =
    strikes.length === 0
      ? own
        ? t('list.own_none', { title: chat.title })
        : t('list.member_none', { name })
      : own
        ? t('list.own_header', { title: chat.title, strikes: count, limit })
        : t('list.member_header', { name, strikes: count, limit });
  const lines = [header, ...strikeLines(ctx, strikes)];
  if (block) lines.push(t('list.blocked_until', { until: when(services, block.endsAt, ctx.language) }));
  return { text: lines.join('\n'), count: strikes.length };
}

async function chatOverview(ctx: GroupContext): Promise<string> {
  const { services, chat, work, t } = ctx;
  const since = new Date(work.now.getTime() - chat.settings.strike_days * 24 * 3600 * 1000);
  const rows = await createStrikesRepository(work.tx).strikeHoldersOfChat(chat.id, since);
  const counts = new Map<number, { account: AccountRecord; count: number }>();
  for (const row of rows) {
    if (!isActiveStrike(strikeFacts(row.strike, row.blockStatus), chat.settings, work.now)) continue;
    const entry = counts.get(row.account.id) ?? { account: row.account as AccountRecord, count: 0 };
    entry.count += 1;
    counts.set(row.account.id, entry);
  }
  const blocked = new Map(
    (await createBlocksRepository(work.tx).liveBlocksOfChat(chat.id)).map((row) => [
      row.account.id,
      row.block,
    ]),
  );
  if (counts.size === 0 && blocked.size === 0) return t('list.chat_none');
  const lines = [...counts.values()]
    .sort((a, b) => b.count - a.count || displayName(a.account).localeCompare(displayName(b.account)))
    .map(({ account, count }) => {
      const block = blocked.get(account.id);
      const strikes = t('strikes.count', { count });
      const name = displayName(account);
      return block
        ? t('list.chat_line_blocked', { name, strikes, until: when(services, block.endsAt, ctx.language) })
        : t('list.chat_line', { name, strikes });
    });
  return [t('list.chat_header'), ...lines].join('\n');
}

/**
 * `/strikes`: a member sees their own strikes (privately when the bot may write to them); a moderator
 * replying sees that member's, and alone, everyone's in the chat, privately (runtime/privately.ts).
 */
export const strikesCommand: CommandSpec = {
  name: 'strikes',
  audience: 'member',
  where: 'group',
  async run(ctx) {
    const { services, chat, work, t } = ctx;
    const author = ctx.event.replyTo?.sender;
    if (ctx.isModerator && author?.kind === 'user' && !author.user.isBot) {
      const account = await saveAccount(services, work, chat.platform, author.user);
      return ctx.answerPrivately((await memberReport(ctx, account, false)).text);
    }
    if (ctx.isModerator) return ctx.answerPrivately(await chatOverview(ctx));
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
