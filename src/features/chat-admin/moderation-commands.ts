import { aliasedTable, and, desc, eq, gt, sql } from 'drizzle-orm';
import { timestamp } from '../../db/client.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { accounts, auditLog, chatAdmins } from '../../db/schema.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { auditModeratorAction } from '../../runtime/commands.js';
import { chatAddress, displayName, excerpt, privateChatOf, when } from '../../runtime/format.js';
import { saveAccount } from '../membership/members.js';

/** `/del` as a reply: deletes the message and the command (regulation 4.13.2), with a log entry. */
export const delCommand: CommandSpec = {
  name: 'del',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work } = ctx;
    const reply = ctx.event.replyTo;
    if (!reply) return ctx.reply(ctx.t('del.usage'));
    const author =
      reply.sender?.kind === 'user'
        ? await saveAccount(ctx.core, work, chat.platform, reply.sender.user)
        : undefined;
    await work.enqueue(
      { type: 'delete', chat: chatAddress(chat), messageId: reply.messageId },
      { chatId: chat.id },
    );
    await work.enqueue(
      { type: 'delete', chat: chatAddress(chat), messageId: ctx.event.messageId },
      { chatId: chat.id },
    );
    await auditModeratorAction(ctx, {
      action: 'message_deleted',
      targetAccountId: author?.id ?? null,
      details: { messageId: reply.messageId, excerpt: excerpt(reply.text) },
    });
  },
};

const LOG_DEFAULT = 10;
const LOG_MAX = 50;

/** `/log [n]`: the chat's last n moderation actions, newest first. */
export const logCommand: CommandSpec = {
  name: 'log',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work, t } = ctx;
    const raw = ctx.event.command?.args ?? '';
    const limit = raw ? Number(raw) : LOG_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > LOG_MAX || !/^\d+$/.test(raw || '10')) {
      return ctx.reply(t('log.usage'));
    }
    const actor = aliasedTable(accounts, 'actor');
    const target = aliasedTable(accounts, 'target');
    const rows = await work.tx
      .select({ entry: auditLog, actor, target })
      .from(auditLog)
      .leftJoin(actor, eq(actor.id, auditLog.actorAccountId))
      .leftJoin(target, eq(target.id, auditLog.targetAccountId))
      .where(
        and(
          eq(auditLog.chatId, chat.id),
          sql`${auditLog.action} not in ('chat_registered', 'chat_migrated', 'bot_removed', 'vote_cast', 'block_reapplied')`,
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(limit);
    if (rows.length === 0) return ctx.reply(t('log.empty'));
    const lines = rows.map(({ entry, actor: who, target: whom }) => {
      const at = when(ctx.core, entry.at, ctx.language);
      const actorName =
        entry.actorKind === 'system'
          ? t('log.system')
          : who
            ? displayName(who)
            : entry.actorName || t('strike.anonymous_moderator');
      const targetName = whom ? displayName(whom) : '—';
      const details = (entry.details ?? {}) as Record<string, unknown>;
      const values = { at, actor: actorName, target: targetName, rule: entry.ruleNumber ?? '' };
      switch (entry.action) {
        case 'strike':
        case 'strike_revoked':
        case 'message_deleted':
        case 'report':
        case 'block_failed':
          return t(`log.${entry.action}`, values);
        case 'block':
          return t('log.block', {
            ...values,
            until: when(ctx.core, new Date(String(details.until)), ctx.language),
          });
        case 'unblock':
          return t(
            `log.unblock_${(entry.reason as 'term' | 'vote' | 'correction' | null) ?? 'term'}`,
            values,
          );
        case 'rules_changed':
          return t('log.rules_changed', { ...values, version: String(details.version ?? '') });
        case 'settings_changed':
          return t('log.settings_changed', {
            ...values,
            key: String(details.key ?? ''),
            value: String(details.to ?? ''),
          });
        case 'apology':
          return t('log.apology', values);
        case 'vote_opened':
          return t('log.vote_opened', values);
        case 'vote_closed':
          return t('log.vote_closed', {
            ...values,
            outcome: t(`log.outcome_${(entry.reason as 'unblocked' | 'kept' | 'moot' | null) ?? 'moot'}`),
          });
        default:
          return t('log.other', { at, action: entry.action });
      }
    });
    return ctx.reply([t('log.header'), ...lines].join('\n'));
  },
};

/** How many reports one member may send in a chat within the window before being slowed down. */
const REPORTS_PER_WINDOW = 3;
const REPORT_WINDOW_MS = 10 * 60_000;

/**
 * `/report [text]` as a reply, for anyone: the chat's moderators are told privately, with a link to
 * the message. The command itself is deleted so the reporter is not exposed.
 */
export const reportCommand: CommandSpec = {
  name: 'report',
  audience: 'member',
  where: 'group',
  actsOnReplyAuthor: true,
  async run(ctx) {
    const { core, chat, work, t } = ctx;
    const reply = ctx.event.replyTo;
    if (!reply) return ctx.reply(t('report.usage'));
    const author = reply.sender;
    if (author?.kind !== 'user' || author.user.isBot) return ctx.reply(t('report.target_invalid'));
    if (ctx.replyAuthorIsModerator) return ctx.reply(t('report.target_moderator'));
    const reporter = ctx.account;
    if (!reporter) return;
    const since = new Date(work.now.getTime() - REPORT_WINDOW_MS);
    const [recent] = await work.tx
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.chatId, chat.id),
          eq(auditLog.action, 'report'),
          eq(auditLog.actorAccountId, reporter.id),
          gt(auditLog.at, sql`${timestamp(since)}`),
        ),
      );
    if (Number(recent?.n ?? 0) >= REPORTS_PER_WINDOW) return ctx.reply(t('report.too_often'));

    const target = await saveAccount(core, work, chat.platform, author.user);
    const comment = ctx.event.command?.args ?? '';
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId: chat.schoolId,
      chatId: chat.id,
      actorKind: 'member',
      actorAccountId: reporter.id,
      actorName: displayName(reporter),
      action: 'report',
      targetAccountId: target.id,
      reason: comment || null,
      details: { messageId: reply.messageId, excerpt: excerpt(reply.text) },
    });
    const moderators = await work.tx
      .select({ account: accounts })
      .from(chatAdmins)
      .innerJoin(accounts, eq(accounts.id, chatAdmins.accountId))
      .where(
        and(eq(chatAdmins.chatId, chat.id), eq(accounts.privateChatOpen, true), eq(accounts.isBot, false)),
      );
    const link = core.messenger(chat.platform).messageLink(chatAddress(chat), reply.messageId);
    for (const { account } of moderators) {
      const mt = core.texts.t(core.texts.languageFor(account.languageCode ?? undefined));
      const lines = [
        mt('report.to_moderator', {
          title: chat.title,
          reporter: displayName(reporter),
          target: displayName(target),
          excerpt: excerpt(reply.text, 500),
        }),
      ];
      if (comment) lines.push(mt('report.comment', { comment }));
      if (link) lines.push(mt('report.link', { link }));
      await work.enqueue({ type: 'send', chat: privateChatOf(account), text: lines.join('\n') });
    }
    await work.enqueue(
      { type: 'delete', chat: chatAddress(chat), messageId: ctx.event.messageId },
      { chatId: chat.id },
    );
    await work.enqueue(
      {
        type: 'send',
        chat: chatAddress(chat),
        text: moderators.length > 0 ? t('report.sent') : t('report.nobody'),
      },
      { chatId: chat.id },
    );
  },
};
