import { randomBytes } from 'node:crypto';
import type { Executor, Tx } from '../../db/client.js';
import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createRosterRepository, type PersonRow } from '../../db/repos/roster.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import { servesPerson } from '../../moderation/departures.js';
import { outcome } from '../../outbox/outcomes.js';
import type { OutcomeHandlers } from '../../outbox/worker.js';
import type { CommandContext } from '../../runtime/commands.js';
import { chatAddress, displayName, privateChatOf } from '../../runtime/format.js';
import { tellModeratorsPrivately } from '../../runtime/privately.js';
import type { Services, Work } from '../../runtime/services.js';

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

export async function createInvitation(
  services: Services,
  ex: Executor,
  schoolId: number,
  person: PersonRow,
) {
  const repo = createRosterRepository(ex);
  const school = await repo.school(schoolId);
  const now = services.clock.now();
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

export function roleKey(kind: string) {
  return kind === 'student'
    ? 'roster.role_student'
    : kind === 'guardian'
      ? 'roster.role_guardian'
      : 'roster.role_staff';
}

/** `/start <code>` in a private chat: claims the invitation and sends the person links to their chats. */
export async function claimInvitation(services: Services, work: Work, ctx: CommandContext, code: string) {
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
  const chats = await chatsServing(services, work.tx, invitation.schoolId, person);
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
        onDone: outcome('invitation.link', {
          invitationId: invitation.id,
          chatId: chat.id,
          accountId: account.id,
          expiresAt: expiresAt.toISOString(),
        }),
      },
    );
  }
}

/** The school's chats a person belongs in: by class for students and guardians, staff chats for employees. */
async function chatsServing(services: Services, tx: Tx, schoolId: number, person: PersonRow) {
  const snapshot = await createRosterRepository(tx).loadSnapshot(schoolId, services.deps.defaultLanguage);
  const me = snapshot.persons.get(person.id);
  if (!me) return [];
  const serving = snapshot.chats
    .filter((chat) => servesPerson(chat, me, snapshot.persons))
    .map((chat) => chat.chatId);
  const repo = createChatsRepository(tx, services.deps.defaultLanguage);
  const chats = [];
  for (const id of serving) {
    const chat = await repo.byId(id);
    if (chat) chats.push(chat);
  }
  return chats;
}

/**
 * Revokes unclaimed invitations past `invite_days`, and every invite link past its date (personal links,
 * and moderators' /invite links after the chat's `invite_link_days`; 4.11.2).
 */
export async function expireInvitations(services: Services): Promise<number> {
  return services.transact(async (work) => {
    const revoked = await createRosterRepository(work.tx).claimExpiredInvitations(work.now, 1000);
    const links = await createGateRepository(work.tx).expireLinks(work.now);
    const chats = createChatsRepository(work.tx, services.deps.defaultLanguage);
    const reminded = new Set<number>();
    for (const link of links) {
      const chat = await chats.byId(link.chatId);
      if (!chat) continue;
      if (services.platform(chat.platform).capabilities.revocableLinks) {
        await work.enqueue(
          { type: 'revoke_invite', chat: chatAddress(chat), url: link.url },
          { chatId: chat.id },
        );
      } else if (!reminded.has(chat.id)) {
        // MAX: the link is the chat's own and a bot cannot change it; the moderators reset it.
        reminded.add(chat.id);
        await tellModeratorsPrivately(services, work, chat, (t) =>
          t('invite.expired_manual', { title: chat.title }),
        );
      }
    }
    return revoked.length + links.length;
  });
}

/** A personal link was made: it is kept (to be revoked when it expires) and sent to the person. */
export function invitationOutcomes(services: Services): Pick<OutcomeHandlers, 'invitation.link'> {
  return {
    'invitation.link': {
      async done(work, args, result) {
        const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(args.chatId);
        const account = await createAccountsRepository(work.tx).byId(args.accountId);
        if (!chat || !account || !result?.url) return;
        await createGateRepository(work.tx).insertInviteLink({
          chatId: chat.id,
          url: result.url,
          name: 'personal',
          kind: 'personal',
          invitationId: args.invitationId,
          createdAt: work.now,
          expiresAt: new Date(args.expiresAt),
        });
        const t = services.texts.t(services.texts.languageFor(account.languageCode ?? undefined));
        await work.enqueue({
          type: 'send',
          chat: privateChatOf(account),
          text: t('roster.personal_link', { title: chat.title, url: result.url }),
        });
      },
    },
  };
}
