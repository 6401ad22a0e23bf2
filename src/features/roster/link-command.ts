import { createRosterRepository, type PersonKind, type PersonRow } from '../../db/repos/roster.js';
import { auditModeratorAction, type CommandSpec } from '../../runtime/commands.js';
import { displayName } from '../../runtime/format.js';
import { saveAccount } from '../membership/members.js';
import { roleKey } from './invitations.js';

/** `/link <id>` as a reply (moderator): links the replied member's account to a roster person. */
export const linkCommand: CommandSpec = {
  name: 'link',
  audience: 'moderator',
  where: 'group',
  actsOnReplyAuthor: true,
  async run(ctx) {
    const { chat, work, t, services } = ctx;
    const author = ctx.event.replyTo?.sender;
    const ref = (ctx.event.command?.args ?? '').trim();
    if (!ref || author?.kind !== 'user' || author.user.isBot) return ctx.refuse(t('roster.link_usage'));
    const match = /^(?:(student|guardian|staff):)?(\S+)$/.exec(ref);
    if (!match) return ctx.refuse(t('roster.link_usage'));
    if (chat.schoolId === null) return ctx.refuse(t('roster.link_no_school'));
    const repo = createRosterRepository(work.tx);
    const found = await repo.findPersons(chat.schoolId, match[2] ?? '', match[1] as PersonKind | undefined);
    if (found.length === 0) return ctx.refuse(t('roster.link_unknown', { ref }));
    if (found.length > 1) {
      return ctx.refuse(
        t('roster.link_ambiguous', {
          ref,
          options: found.map((p) => `${p.kind}:${p.externalId}`).join(', '),
        }),
      );
    }
    const person = found[0] as PersonRow;
    const account = await saveAccount(services, work, chat.platform, author.user);
    await repo.linkAccount(person.id, account.id, 'moderator', work.now);
    // Linking a teacher may change who moderates the school's chats (4.13.2).
    work.afterCommit(() => services.moderatorRules.clear());
    await auditModeratorAction(ctx, {
      action: 'account_linked',
      targetAccountId: account.id,
      details: { personId: person.id, by: 'moderator' },
    });
    return ctx.answerPrivately(
      t('roster.link_done', {
        name: displayName(account),
        role: t(roleKey(person.kind)),
        ref: person.externalId,
        person: person.name ? ` (${person.name})` : '',
      }),
    );
  },
};
