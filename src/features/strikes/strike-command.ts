import { createBlocksRepository } from '../../db/repos/blocks.js';
import { createStrikesRepository, type StrikeWithFacts } from '../../db/repos/strikes.js';
import { sentence } from '../../lib/text.js';
import { findRule } from '../../moderation/rules.js';
import { decideStrike, isActiveStrike } from '../../moderation/strikes.js';
import { type CommandSpec, moderatorAuditEntry } from '../../runtime/commands.js';
import { chatAddress, displayName, excerpt, privateChatOf, when } from '../../runtime/format.js';
import { BLOCK_START_PAYLOAD, blockMember, memberTexts } from '../blocks/index.js';
import { chatsRepo } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { currentRules } from '../rules/rules.js';
import { replyAuthor } from './target.js';

/**
 * `/strike <rule> [reason]` as a reply (regulation 4.13.5, 4.13.7): a strike must cite a rule of the
 * chat; the one that takes the count past `strike_limit` blocks the member (features/blocks).
 */
export const strikeCommand: CommandSpec = {
  name: 'strike',
  audience: 'moderator',
  where: 'group',
  actsOnReplyAuthor: true,
  async run(ctx) {
    const { services, chat, work, t } = ctx;
    const target = await replyAuthor(ctx, 'strike.usage_reply');
    if (!target) return;
    const [ruleToken = '', ...reasonWords] = (ctx.event.command?.args ?? '').split(/\s+/).filter(Boolean);
    if (!ruleToken) return ctx.refuse(t('strike.usage_rule'));
    const rules = await currentRules(services, work.tx, chat);
    const rule = findRule(rules.rules, ruleToken);
    if (!rule) {
      return ctx.refuse(
        /\d/.test(ruleToken) ? t('strike.no_such_rule', { rule: ruleToken }) : t('strike.usage_rule'),
      );
    }
    if (ctx.replyAuthorIsModerator) return ctx.refuse(t('strike.target_moderator'));

    // A group command's first statement took the chat's lock (its record carries the rules' version);
    // a strike from elsewhere (a suggestion's button) takes it here.
    if (chat.rulesVersion === undefined) await chatsRepo(services, work).lock(chat.id);
    // The member's account (with any running block) and their history in one round trip: the two
    // statements go to the transaction's connection together.
    const strikes = createStrikesRepository(work.tx);
    const [known, history] = await Promise.all([
      createBlocksRepository(work.tx).accountWithLiveBlock(chat.id, chat.platform, target.userId),
      strikes.strikesOfUser(chat.id, chat.platform, target.userId),
    ]);
    const account = await saveAccount(services, work, chat.platform, target, {}, known?.account ?? null);
    const name = displayName(account);
    const existing = known?.block;
    if (existing) {
      return ctx.refuse(
        t('strike.target_blocked', { name, until: when(services, existing.endsAt, ctx.language) }),
      );
    }
    const decision = decideStrike(
      history.map((strike) => strike.facts),
      chat.settings,
      work.now,
      services.deps.timeZone,
    );
    const reason = reasonWords.join(' ').trim() || null;
    const values = {
      chatId: chat.id,
      accountId: account.id,
      moderatorAccountId: ctx.account?.id ?? null,
      moderatorName: ctx.account ? displayName(ctx.account) : '',
      ruleNumber: rule.number,
      ruleText: rule.text,
      rulesVersion: rules.version,
      reason,
      messageId: ctx.event.replyTo?.messageId ?? null,
      messageExcerpt: ctx.event.replyTo ? excerpt(ctx.event.replyTo.text) : null,
      createdAt: work.now,
    };
    // The strike and its audit entry in one statement (the entry gets the strike's id).
    const strike = await strikes.insertStrikeAudited(
      values,
      moderatorAuditEntry(ctx, {
        action: 'strike',
        targetAccountId: account.id,
        ruleNumber: rule.number,
        reason,
        details: { count: decision.count, limit: decision.limit, messageId: values.messageId },
      }),
    );

    // The command goes once recorded: its reason is for the audit log and the member, not the chat. A
    // strike from a suggestion's button has no command message (its event names the offending one).
    if (ctx.event.messageId !== ctx.event.replyTo?.messageId) {
      await work.enqueue(
        { type: 'delete', chat: chatAddress(chat), messageId: ctx.event.messageId },
        { chatId: chat.id },
      );
    }

    if (decision.kind === 'record') {
      // The chat reads a short reply to the offending message: the rule and the count, no reason, no name.
      const counted = {
        count: decision.count,
        limit: decision.limit,
        rule: rule.number,
        ruleText: sentence(rule.text),
      };
      const lines = [t('strike.recorded', counted)];
      if (decision.lastBeforeBlock) {
        lines.push(t('strike.last_warning', { days: t('time.days', { count: chat.settings.block_days }) }));
      }
      await work.enqueue(
        {
          type: 'send',
          chat: chatAddress(chat),
          text: lines.join(' '),
          options: { replyTo: ctx.event.replyTo?.messageId ?? ctx.event.messageId },
        },
        { chatId: chat.id },
      );
      // The member reads it privately with the moderator's reason, when the bot may write to them.
      if (account.privateChatOpen) {
        const mt = memberTexts(services, account);
        const note = [mt('strike.private', { ...counted, title: chat.title })];
        if (reason) note.push(mt('strike.reason', { reason: sentence(reason) }));
        if (decision.lastBeforeBlock) {
          note.push(
            mt('strike.last_warning', { days: mt('time.days', { count: chat.settings.block_days }) }),
          );
        }
        await work.enqueue({ type: 'send', chat: privateChatOf(account), text: note.join(' ') });
      }
      return;
    }

    // Past the limit: block, consuming the strikes that led to it.
    const counted = [strike, ...active(history, chat.settings, work.now)];
    await blockMember(work, {
      chat,
      account,
      strikes: counted,
      rule: rule.number,
      limit: decision.limit,
      until: decision.until,
      moderatorAccountId: ctx.account?.id ?? null,
      replyTo: ctx.event.replyTo?.messageId ?? ctx.event.messageId,
      announcement: (ruleNumbers) => {
        const lines = [
          t('block.blocked', {
            name,
            count: decision.count,
            limit: decision.limit,
            until: when(services, decision.until, ctx.language),
            mode: t(chat.settings.block_mode === 'ban' ? 'block.mode_ban' : 'block.mode_mute'),
            rules: ruleNumbers.join(', '),
          }),
        ];
        // Without a private chat the member learns how to apologise by opening one (4.13.6).
        if (!account.privateChatOpen) {
          const link = services.platform(chat.platform).startLink(BLOCK_START_PAYLOAD);
          lines.push(t('block.write_to_bot', { link }));
        }
        return lines.join('\n');
      },
      notice: (ruleNumbers) => {
        const mt = memberTexts(services, account);
        const language = services.texts.languageFor(account.languageCode ?? undefined);
        const lines = [
          mt('block.private', {
            title: chat.title,
            until: when(services, decision.until, language),
            mode: mt(chat.settings.block_mode === 'ban' ? 'block.mode_ban' : 'block.mode_mute'),
            rules: ruleNumbers.join(', '),
          }),
        ];
        if (reason) lines.push(mt('strike.reason', { reason: sentence(reason) }));
        lines.push(mt('block.how_to_apologize'));
        return lines.join('\n\n');
      },
    });
  },
};

export function active(
  strikes: StrikeWithFacts[],
  settings: Parameters<typeof isActiveStrike>[1],
  now: Date,
): StrikeWithFacts[] {
  return strikes.filter((strike) => isActiveStrike(strike.facts, settings, now));
}
