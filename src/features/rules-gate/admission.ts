import {
  type AccountRecord,
  createAccountsRepository,
  createAdminsRepository,
} from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import { createRosterRepository } from '../../db/repos/roster.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import type { ButtonPressed, ButtonSpec } from '../../messenger/port.js';
import { outcome } from '../../outbox/outcomes.js';
import type { ButtonAnswer } from '../../runtime/buttons.js';
import { chatAddress, displayName, privateChatOf } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { standingOf } from '../membership/moderators.js';
import { moderatorRuleIn } from '../membership/staff.js';
import { GATE_BUTTONS } from './buttons.js';
import { refreshGreeting } from './greeting-message.js';

/**
 * Strangers never enter a class chat unseen (4.11.2, 4.13.8): in a chat of a school, someone the
 * school's roster does not know (no account linked to a person still enrolled or employed) is let in
 * by a moderator, not by accepting the rules alone. The chat's moderators get the request privately
 * with «Принять» / «Отклонить»; a join request nobody answers is declined when `gate_hours` pass, and a
 * newcomer added another way stays read-only until a moderator accepts them.
 */

export type AdmissionKind = 'request' | 'entry';

/** Whether this person needs a moderator to come into this chat. */
export async function needsModerator(work: Work, chat: ChatRecord, account: AccountRecord): Promise<boolean> {
  if (chat.schoolId === null) return false;
  const persons = await createRosterRepository(work.tx).personsOfAccount(account.id);
  return !persons.some((person) => person.schoolId === chat.schoolId && person.status === 'active');
}

/** Sends the chat's moderators the newcomer with the two buttons (the group hears only that one waits). */
export async function askModerators(
  services: Services,
  work: Work,
  chat: ChatRecord,
  account: AccountRecord,
  kind: AdmissionKind,
  id: number,
): Promise<void> {
  const rule = await moderatorRuleIn(services, work, chat);
  const admins = await createAdminsRepository(work.tx).reachableModerators(chat.id);
  const moderators = admins.filter((admin) => !rule.staffOnly || rule.staff.has(admin.platformUserId));
  const data = (decision: 'a' | 'd') =>
    `${GATE_BUTTONS.admission}${kind === 'request' ? 'r' : 'e'}${id}:${decision}`;
  for (const moderator of moderators) {
    const t = services.texts.t(services.texts.languageFor(moderator.languageCode ?? undefined));
    const buttons: ButtonSpec[][] = [
      [
        { text: t('gate.admit'), data: data('a') },
        { text: t('gate.refuse'), data: data('d') },
      ],
    ];
    const text = t('gate.ask_moderator', { name: displayName(account), title: chat.title });
    await work.enqueue({ type: 'send', chat: privateChatOf(moderator), text, options: { buttons } });
  }
  if (moderators.length === 0) {
    const t = services.texts.t(chat.settings.language);
    await work.enqueue(
      { type: 'send', chat: chatAddress(chat), text: t('gate.ask_moderator_group') },
      { chatId: chat.id },
    );
  }
}

/** Lets the person in once both the rules are accepted and a moderator said yes. */
export async function admitIfReady(
  services: Services,
  work: Work,
  chat: ChatRecord,
  kind: AdmissionKind,
  id: number,
) {
  const gate = createGateRepository(work.tx);
  if (kind === 'request') {
    const request = await gate.request(id);
    if (request?.status !== 'pending' || !request.rulesAcceptedAt) return;
    if (request.needsModerator && request.moderatorDecision !== 'approved') return;
    const account = await createAccountsRepository(work.tx).byId(request.accountId);
    if (!account) return;
    await gate.updateRequest(request.id, { status: 'accepted' });
    await work.enqueue(
      { type: 'approve_join', chat: chatAddress(chat), userId: account.platformUserId },
      {
        chatId: chat.id,
        onDone: outcome('gate.request_approved', { requestId: request.id }),
        onFailed: outcome('gate.request_approved', { requestId: request.id }),
      },
    );
    return;
  }
  const entry = await gate.entry(id);
  if (entry?.status !== 'pending' || !entry.rulesAcceptedAt) return;
  if (entry.needsModerator && entry.moderatorDecision !== 'approved') return;
  const account = await createAccountsRepository(work.tx).byId(entry.accountId);
  if (!account) return;
  await gate.closeEntry(entry.id, 'accepted', work.now);
  // A member blocked meanwhile stays read-only: the block's own lift restores them.
  const block = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
  if (block?.mode !== 'mute') {
    await work.enqueue(
      { type: 'unmute', chat: chatAddress(chat), userId: account.platformUserId },
      { chatId: chat.id },
    );
  }
  const greeting = entry.greetingId ? await gate.greeting(entry.greetingId) : undefined;
  if (greeting) await refreshGreeting(services, work, chat, greeting);
}

/** Before the transaction: whether the presser moderates the chat (it may ask the platform). */
export async function admissionStanding(
  services: Services,
  event: ButtonPressed,
  kind: AdmissionKind,
  id: number,
) {
  const gate = createGateRepository(services.db);
  const chatId = kind === 'request' ? (await gate.request(id))?.chatId : (await gate.entry(id))?.chatId;
  if (chatId === undefined) return false;
  const chat = await createChatsRepository(services.db, services.deps.defaultLanguage).byId(chatId);
  if (!chat) return false;
  return (await standingOf(services, chat, { kind: 'user', user: event.user })) === 'moderator';
}

/** A moderator pressed «Принять» or «Отклонить» under a newcomer the school does not know. */
export async function onAdmissionButton(
  services: Services,
  work: Work,
  event: ButtonPressed,
  kind: AdmissionKind,
  id: number,
  admit: boolean,
  isModerator: boolean,
): Promise<ButtonAnswer> {
  const t = services.texts.t(services.texts.languageFor(event.user.languageCode));
  if (!isModerator) return { text: t('refusal.not_moderator'), alert: true };
  const gate = createGateRepository(work.tx);
  const row = kind === 'request' ? await gate.request(id) : await gate.entry(id);
  const chat = row
    ? await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(row.chatId)
    : undefined;
  const account = row ? await createAccountsRepository(work.tx).byId(row.accountId) : undefined;
  if (!row || !chat || !account) return { text: t('gate.unknown_button') };
  if (row.status !== 'pending' || row.moderatorDecision) return { text: t('gate.admission_decided') };
  const moderator = await createAccountsRepository(work.tx).find(event.chat.platform, event.user.userId);
  const decision = {
    moderatorDecision: admit ? 'approved' : 'declined',
    decidedByAccountId: moderator?.id ?? null,
  } as const;
  if (kind === 'request') await gate.updateRequest(id, decision);
  else await gate.updateEntry(id, decision);
  const verdict = t(admit ? 'gate.admitted' : 'gate.refused', {
    name: displayName(account),
    title: chat.title,
  });
  await work.enqueue({ type: 'edit', chat: event.chat, messageId: event.messageId, text: verdict });
  if (admit) {
    await admitIfReady(services, work, chat, kind, id);
    return { text: verdict };
  }
  if (kind === 'request') {
    await gate.updateRequest(id, { status: 'declined', decidedAt: work.now });
    await work.enqueue(
      { type: 'decline_join', chat: chatAddress(chat), userId: account.platformUserId },
      { chatId: chat.id },
    );
  } else {
    await gate.closeEntry(id, 'left', work.now);
    // Out of the chat, free to come back through an invitation later.
    await work.enqueue(
      { type: 'ban', chat: chatAddress(chat), userId: account.platformUserId },
      { chatId: chat.id },
    );
    await work.enqueue(
      { type: 'unban', chat: chatAddress(chat), userId: account.platformUserId },
      { chatId: chat.id },
    );
    const greeting = 'greetingId' in row && row.greetingId ? await gate.greeting(row.greetingId) : undefined;
    if (greeting) await refreshGreeting(services, work, chat, greeting);
  }
  return { text: verdict };
}
