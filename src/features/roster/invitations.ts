import { randomBytes } from 'node:crypto';
import { and, eq, isNull, lte } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createRosterRepository, type PersonKind, type PersonRow } from '../../db/repos/roster.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import { inviteLinks } from '../../db/schema.js';
import { servesPerson } from '../../moderation/departures.js';
import { enqueue, type OutcomeHandler } from '../../outbox/outbox.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { auditModeratorAction } from '../../runtime/commands.js';
import { chatAddress, displayName, privateChatOf } from '../../runtime/format.js';
import type { Core, Work } from '../../runtime/services.js';
import { saveAccount } from '../membership/members.js';

/**
 * Personal invitations (regulation 4.11.2): a code the school gives a person; `/start <code>` links
 * their messenger account to the roster and answers with join-request links to their chats. Unclaimed
 * invitations expire and are revoked, and so are the links made for them.
 */

const DAY_MS = 24 * 3600 * 1000;

/** Deep-link payloads are at most 64 characters of A–Z, a–z, 0–9, _ and -. */
export function newInvitationCode(): string {
  return `i${randomBytes(15).toString('base64url')}`;
}

export async function createInvitation(core: Core, ex: Tx | Core['db'], schoolId: number, person: PersonRow) {
  const repo = createRosterRepository(ex);
  const school = await repo.school(schoolId);
  const now = core.clock.now();
  return repo.insertInvitation({
    schoolId,
    personId: person.id,
    code: newInvitationCode(),
    createdAt: now,
    expiresAt: new Date(now.getTime() + (school?.inviteDays ?? 14) * DAY_MS),
  });
}

/** The deep link that opens the bot with the code (`t.me/<bot>?start=<code>`). */
export function deepLink(botUsername: string | undefined, code: string): string {
  return botUsername ? `https://t.me/${botUsername}?start=${code}` : code;
}

function roleKey(kind: string) {
  return kind === 'student'
    ? 'roster.role_student'
    : kind === 'guardian'
      ? 'roster.role_guardian'
      : 'roster.role_staff';
}

/** `/start <code>` in a private chat: claims the invitation and sends the person links to their chats. */
export async function claimInvitation(
  core: Core,
  work: Work,
  ctx: Parameters<NonNullable<CommandSpec['runPrivate']>>[0],
  code: string,
) {
  const { t, account } = ctx;
  if (!account) return;
  const repo = createRosterRepository(work.tx);
  const invitation = await repo.invitationByCode(code);
  if (!invitation) return ctx.reply(t('roster.start_unknown'));
  if (invitation.claimedByAccountId && invitation.claimedByAccountId !== account.id)
    return ctx.reply(t('roster.start_used'));
  if (
    !invitation.claimedAt &&
    (invitation.revokedAt || invitation.expiresAt.getTime() <= work.now.getTime())
  ) {
    return ctx.reply(t('roster.start_expired'));
  }
  const person = await repo.person(invitation.personId);
  if (!person) return ctx.reply(t('roster.start_unknown'));
  if (!invitation.claimedAt) {
    await repo.updateInvitation(invitation.id, { claimedAt: work.now, claimedByAccountId: account.id });
    await repo.linkAccount(person.id, account.id, 'invitation', work.now);
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId: invitation.schoolId,
      actorKind: 'member',
      actorAccountId: account.id,
      action: 'account_linked',
      targetAccountId: account.id,
      details: { personId: person.id, invitationId: invitation.id, by: 'invitation' },
    });
  }
  const chats = await chatsServing(core, work.tx, invitation.schoolId, person);
  const name = person.name ?? displayName(account);
  const role = t(roleKey(person.kind));
  if (chats.length === 0) return ctx.reply(t('roster.start_no_chats', { name, role }));
  await ctx.reply(t('roster.start_linked', { name, role }));
  const school = await repo.school(invitation.schoolId);
  const expiresAt = new Date(work.now.getTime() + (school?.inviteDays ?? 14) * DAY_MS);
  for (const chat of chats) {
    await work.enqueue(
      {
        type: 'create_invite',
        chat: chatAddress(chat),
        name: name.slice(0, 32),
        expiresAt: expiresAt.toISOString(),
      },
      {
        chatId: chat.id,
        onDone: {
          name: 'invitation.link',
          args: {
            invitationId: invitation.id,
            chatId: chat.id,
            accountId: account.id,
            expiresAt: expiresAt.toISOString(),
          },
        },
      },
    );
  }
}

/** The school's chats a person belongs in: by class for students and guardians, staff chats for employees. */
async function chatsServing(core: Core, tx: Tx, schoolId: number, person: PersonRow) {
  const snapshot = await createRosterRepository(tx).loadSnapshot(schoolId, core.deps.defaultLanguage);
  const me = snapshot.persons.get(person.id);
  if (!me) return [];
  const serving = snapshot.chats
    .filter((chat) => servesPerson(chat, me, snapshot.persons))
    .map((chat) => chat.chatId);
  const repo = createChatsRepository(tx, core.deps.defaultLanguage);
  const chats = [];
  for (const id of serving) {
    const chat = await repo.byId(id);
    if (chat) chats.push(chat);
  }
  return chats;
}

/** `/link <id>` as a reply (moderator): links the replied member's account to a roster person. */
export const linkCommand: CommandSpec = {
  name: 'link',
  audience: 'moderator',
  where: 'group',
  actsOnReplyAuthor: true,
  async run(ctx) {
    const { chat, work, t, core } = ctx;
    const author = ctx.event.replyTo?.sender;
    const ref = (ctx.event.command?.args ?? '').trim();
    if (!ref || author?.kind !== 'user' || author.user.isBot) return ctx.reply(t('roster.link_usage'));
    const match = /^(?:(student|guardian|staff):)?(\S+)$/.exec(ref);
    if (!match) return ctx.reply(t('roster.link_usage'));
    const repo = createRosterRepository(work.tx);
    const found = await repo.findPersons(chat.schoolId, match[2] ?? '', match[1] as PersonKind | undefined);
    if (found.length === 0) return ctx.reply(t('roster.link_unknown', { ref }));
    if (found.length > 1) {
      return ctx.reply(
        t('roster.link_ambiguous', {
          ref,
          options: found.map((p) => `${p.kind}:${p.externalId}`).join(', '),
        }),
      );
    }
    const person = found[0] as PersonRow;
    const account = await saveAccount(core, work, chat.platform, author.user);
    await repo.linkAccount(person.id, account.id, 'moderator', work.now);
    await auditModeratorAction(ctx, {
      action: 'account_linked',
      targetAccountId: account.id,
      details: { personId: person.id, by: 'moderator' },
    });
    return ctx.reply(
      t('roster.link_done', {
        name: displayName(account),
        role: t(roleKey(person.kind)),
        ref: person.externalId,
        person: person.name ? ` (${person.name})` : '',
      }),
    );
  },
};

/** Revokes unclaimed invitations past `invite_days`, and the personal links that have expired. */
export async function expireInvitations(core: Core): Promise<number> {
  return core.transact(async (work) => {
    const revoked = await createRosterRepository(work.tx).claimExpiredInvitations(work.now, 1000);
    const links = await work.tx
      .update(inviteLinks)
      .set({ revokedAt: work.now })
      .where(
        and(
          eq(inviteLinks.kind, 'personal'),
          isNull(inviteLinks.revokedAt),
          lte(inviteLinks.expiresAt, work.now),
        ),
      )
      .returning();
    const chats = createChatsRepository(work.tx, core.deps.defaultLanguage);
    for (const link of links) {
      const chat = await chats.byId(link.chatId);
      if (chat)
        await work.enqueue(
          { type: 'revoke_invite', chat: chatAddress(chat), url: link.url },
          { chatId: chat.id },
        );
    }
    return revoked.length + links.length;
  });
}

export function invitationOutcomeHandlers(core: Core): Map<string, OutcomeHandler> {
  return new Map<string, OutcomeHandler>([
    [
      'invitation.link',
      {
        async done(tx, args, result) {
          const chat = await createChatsRepository(tx, core.deps.defaultLanguage).byId(Number(args.chatId));
          const account = await createAccountsRepository(tx).byId(Number(args.accountId));
          if (!chat || !account || !result?.url) return;
          await createGateRepository(tx).insertInviteLink({
            chatId: chat.id,
            url: result.url,
            name: 'personal',
            kind: 'personal',
            invitationId: Number(args.invitationId),
            createdAt: core.clock.now(),
            expiresAt: new Date(String(args.expiresAt)),
          });
          const t = core.texts.t(core.texts.languageFor(account.languageCode ?? undefined));
          await enqueue(tx, core.clock, {
            type: 'send',
            chat: privateChatOf(account),
            text: t('roster.personal_link', { title: chat.title, url: result.url }),
          });
        },
      },
    ],
  ]);
}
