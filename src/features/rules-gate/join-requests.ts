import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import type { ButtonPressed, JoinRequested } from '../../messenger/port.js';
import { formatRules } from '../../moderation/rules.js';
import { laneOf } from '../../outbox/enqueue.js';
import { outcome } from '../../outbox/outcomes.js';
import type { ButtonAnswer } from '../../runtime/buttons.js';
import { chatAddress, displayName, when } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { chatPrivacyNotice } from '../personal-data/privacy.js';
import { removedByRoster } from '../roster/removals.js';
import { currentRules } from '../rules/rules.js';
import { admitIfReady, askModerators, needsModerator } from './admission.js';
import { acceptButton, GATE_BUTTONS } from './buttons.js';

/**
 * Join requests (regulation 4.13.3): through a join-request link the bot sends the applicant the rules
 * privately and approves the request only after they accept them.
 */

/** A join request: decline those who may not come in, else send the rules privately with the button. */
export async function onJoinRequest(services: Services, work: Work, event: JoinRequested): Promise<void> {
  const chat = await loadChat(services, work, event.chat);
  const account = await saveAccount(services, work, chat.platform, event.user);
  const gate = createGateRepository(work.tx);
  const t = services.texts.t(chat.settings.language);
  const address = chatAddress(chat);
  const privateChat = event.privateChat;

  // Declined people are told why first: the decline ends the bot's leave to write to them.
  const decline = async (text: string) => {
    await work.enqueue({ type: 'send', chat: privateChat, text });
    await work.enqueue(
      { type: 'decline_join', chat: address, userId: account.platformUserId },
      { chatId: chat.id, lane: laneOf({ type: 'send', chat: privateChat, text }) },
    );
  };
  // Bots cannot be written to and have no business joining a class chat.
  if (event.user.isBot) {
    await work.enqueue(
      { type: 'decline_join', chat: address, userId: account.platformUserId },
      { chatId: chat.id },
    );
    return;
  }
  if (await removedByRoster(work.tx, chat.id, account.id)) {
    return decline(t('gate.request_declined_removed', { title: chat.title }));
  }
  const block = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
  if (block && block.mode === 'ban') {
    const until = when(services, block.endsAt, chat.settings.language);
    return decline(t('gate.request_declined_blocked', { title: chat.title, until }));
  }

  const rules = await currentRules(services, work.tx, chat);
  const alreadyAccepted = await gate.hasAccepted(chat.id, account.id, rules.version);
  const rulesDone = chat.settings.rules_gate === 'off' || alreadyAccepted;
  const moderatorNeeded = await needsModerator(work, chat, account);
  if (rulesDone && !moderatorNeeded) {
    await work.enqueue(
      { type: 'approve_join', chat: address, userId: account.platformUserId },
      { chatId: chat.id },
    );
    return;
  }

  const existing = await gate.openRequest(chat.id, account.id);
  if (existing) await gate.updateRequest(existing.id, { status: 'declined', decidedAt: work.now });
  const hours = chat.settings.gate_hours;
  const request = await gate.insertRequest({
    chatId: chat.id,
    accountId: account.id,
    privateChatId: privateChat.platformChatId,
    inviteLink: event.inviteLink ?? null,
    status: 'pending',
    rulesVersion: rules.version,
    requestedAt: work.now,
    expiresAt: new Date(work.now.getTime() + hours * 3600_000),
    needsModerator: moderatorNeeded,
    rulesAcceptedAt: rulesDone ? work.now : null,
  });
  if (moderatorNeeded) await askModerators(services, work, chat, account, 'request', request.id);
  if (rulesDone) {
    await work.enqueue({ type: 'send', chat: privateChat, text: t('gate.awaiting_moderator') });
    return;
  }
  const notice = await chatPrivacyNotice(work.tx, chat);
  const text = [
    t('gate.request_intro', { name: displayName(account), title: chat.title }),
    formatRules(rules.rules),
    ...(notice ? [`${t('privacy.title')}\n${notice}`] : []),
    t('gate.request_deadline', { within: t('time.within_hours', { count: hours }) }),
  ].join('\n\n');
  await work.enqueue(
    {
      type: 'send',
      chat: privateChat,
      text,
      options: { buttons: acceptButton(services, chat, `${GATE_BUTTONS.request}${request.id}`) },
    },
    { onDone: outcome('gate.request_message', { requestId: request.id }) },
  );
}

/** The applicant pressed "I accept" in the private chat: record it and approve the request. */
export async function onRequestButton(
  services: Services,
  work: Work,
  event: ButtonPressed,
  requestId: number,
): Promise<ButtonAnswer> {
  const gate = createGateRepository(work.tx);
  const request = await gate.request(requestId);
  const chat = request
    ? await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(request.chatId)
    : undefined;
  if (!request || !chat)
    return {
      text: services.texts.t(services.texts.languageFor(event.user.languageCode))('gate.unknown_button'),
    };
  const t = services.texts.t(chat.settings.language);
  const account = await createAccountsRepository(work.tx).byId(request.accountId);
  if (!account || account.platformUserId !== event.user.userId)
    return { text: t('gate.not_for_you'), alert: true };
  if (request.status !== 'pending') return { text: t('gate.request_closed') };
  await gate.accept(chat.id, account.id, request.rulesVersion, 'join_request', work.now);
  await gate.updateRequest(request.id, { rulesAcceptedAt: work.now });
  if (request.needsModerator && request.moderatorDecision !== 'approved') {
    return { text: t('gate.awaiting_moderator') };
  }
  await admitIfReady(services, work, chat, 'request', request.id);
  return { text: t('gate.accepted') };
}

/**
 * Declines join requests whose applicants did not accept the rules within `gate_hours`, and tells
 * them so by editing the rules message (the bot may no longer be allowed to start a new one).
 */
export async function expireJoinRequests(services: Services, batch = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await services.transact(async (work) => {
      const expired = await createGateRepository(work.tx).claimExpiredRequests(work.now, batch);
      for (const request of expired) {
        const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(request.chatId);
        const account = await createAccountsRepository(work.tx).byId(request.accountId);
        if (!chat || !account) continue;
        await work.enqueue(
          { type: 'decline_join', chat: chatAddress(chat), userId: account.platformUserId },
          { chatId: chat.id },
        );
        if (request.messageId) {
          const t = services.texts.t(chat.settings.language);
          const text = t('gate.request_expired', {
            title: chat.title,
            within: t('time.within_hours', { count: chat.settings.gate_hours }),
          });
          await work.enqueue({
            type: 'edit',
            chat: { platform: chat.platform, platformChatId: request.privateChatId },
            messageId: request.messageId,
            text,
          });
        }
      }
      return expired.length;
    });
    total += count;
    if (count < batch) return total;
  }
}
