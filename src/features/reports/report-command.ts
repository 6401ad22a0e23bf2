import { createAdminsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { chatAddress, displayName, excerpt, privateChatOf } from '../../runtime/format.js';
import { saveAccount } from '../membership/members.js';

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
    const { services, chat, work, t } = ctx;
    const reply = ctx.event.replyTo;
    if (!reply) return ctx.refuse(t('report.usage'));
    const author = reply.sender;
    if (author?.kind !== 'user' || author.user.isBot) return ctx.refuse(t('report.target_invalid'));
    if (ctx.replyAuthorIsModerator) return ctx.refuse(t('report.target_moderator'), { quietInGroup: true });
    const reporter = ctx.account;
    if (!reporter) return;
    const since = new Date(work.now.getTime() - REPORT_WINDOW_MS);
    const audit = createAuditRepository(work.tx);
    const recent = await audit.countSince(chat.id, 'report', since, { actorAccountId: reporter.id });
    if (recent >= REPORTS_PER_WINDOW) return ctx.refuse(t('report.too_often'), { quietInGroup: true });

    const target = await saveAccount(services, work, chat.platform, author.user);
    const comment = ctx.event.command?.args ?? '';
    await audit.append({
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
    const moderators = await createAdminsRepository(work.tx).reachableModerators(chat.id);
    const link = services.platform(chat.platform).messageLink(chatAddress(chat), reply.messageId);
    for (const account of moderators) {
      const mt = services.texts.t(services.texts.languageFor(account.languageCode ?? undefined));
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
    if (moderators.length === 0) {
      await work.enqueue(
        { type: 'delete', chat: chatAddress(chat), messageId: ctx.event.messageId },
        { chatId: chat.id },
      );
      await work.enqueue(
        { type: 'send', chat: chatAddress(chat), text: t('report.nobody') },
        { chatId: chat.id },
      );
      return;
    }
    // The reporter reads the confirmation privately when the bot may write to them, and the group nothing.
    await ctx.answerPrivately(t('report.sent'), { quietInGroup: true, fallback: t('report.sent') });
  },
};
