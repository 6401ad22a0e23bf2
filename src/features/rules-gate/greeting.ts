import type { AccountRecord } from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import type { ButtonPressed } from '../../messenger/port.js';
import { outcome } from '../../outbox/outcomes.js';
import type { ButtonAnswer } from '../../runtime/buttons.js';
import { chatAddress } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { currentRules } from '../rules/rules.js';
import { admitIfReady, askModerators, needsModerator } from './admission.js';
import { refreshGreeting, renderGreeting } from './greeting-message.js';

/**
 * Newcomers who arrive other than through an accepted join request (regulation 4.13.3): greeted in the
 * chat with the rules and a button, and read-only until they press it themselves.
 */

/** Newcomers arriving within this long share one greeting. */
export const GREETING_WINDOW_MS = 60_000;

/**
 * People who arrived other than through an accepted join request: with the gate on they are made
 * read-only and greeted with the rules and the button; with it off they are only greeted. Admins,
 * bots and anyone who accepted this chat's rules before are let be.
 */
export async function admitNewcomers(
  services: Services,
  work: Work,
  chat: ChatRecord,
  joined: AccountRecord[],
  options: { byModerator?: boolean } = {},
): Promise<void> {
  const gate = createGateRepository(work.tx);
  const gated = chat.settings.rules_gate === 'on';
  const newcomers: AccountRecord[] = [];
  for (const account of joined) {
    if (account.isBot) continue;
    if (await gate.isAdmin(chat.id, account.platformUserId)) continue;
    if (await gate.hasAccepted(chat.id, account.id)) continue;
    if (await gate.pendingEntry(chat.id, account.id)) continue;
    newcomers.push(account);
  }
  if (newcomers.length === 0) return;
  const address = chatAddress(chat);
  let greeting = await gate.recentGreeting(chat.id, new Date(work.now.getTime() - GREETING_WINDOW_MS), gated);
  const fresh = !greeting;
  greeting ??= await gate.insertGreeting(chat.id, gated, work.now);
  for (const account of newcomers) {
    // Someone the school does not know waits for a moderator too, rules gate or not (4.11.2).
    const moderatorNeeded = !options.byModerator && (await needsModerator(work, chat, account));
    const entry = await gate.insertEntry({
      chatId: chat.id,
      accountId: account.id,
      greetingId: greeting.id,
      status: gated || moderatorNeeded ? 'pending' : 'welcomed',
      joinedAt: work.now,
      needsModerator: moderatorNeeded,
      rulesAcceptedAt: gated ? null : work.now,
    });
    // A member under a block is read-only already, until its end; the block's lift keeps them gated.
    const blocked = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
    if ((gated || moderatorNeeded) && !blocked) {
      await work.enqueue(
        { type: 'mute', chat: address, userId: account.platformUserId },
        { chatId: chat.id },
      );
    }
    if (moderatorNeeded) await askModerators(services, work, chat, account, 'entry', entry.id);
  }
  if (fresh) {
    const view = await renderGreeting(services, work, chat, greeting);
    await gate.updateGreeting(greeting.id, { rendered: view.ids });
    await work.enqueue(
      {
        type: 'send',
        chat: address,
        text: view.text,
        options: view.buttons ? { buttons: view.buttons } : {},
      },
      { chatId: chat.id, onDone: outcome('gate.greeting_sent', { greetingId: greeting.id }) },
    );
  } else {
    await refreshGreeting(services, work, chat, greeting);
  }
}

/** A newcomer pressed the greeting's button: only their own press releases them. */
export async function onGreetingButton(
  services: Services,
  work: Work,
  event: ButtonPressed,
  greetingId: number,
): Promise<ButtonAnswer> {
  const gate = createGateRepository(work.tx);
  const chat = await loadChat(services, work, event.chat);
  const t = services.texts.t(chat.settings.language);
  const greeting = await gate.greeting(greetingId);
  if (!greeting || greeting.chatId !== chat.id) return { text: t('gate.unknown_button') };
  const account = await saveAccount(services, work, chat.platform, event.user);
  const entry = await gate.pendingEntry(chat.id, account.id);
  if (!entry || entry.greetingId !== greeting.id) {
    const accepted = await gate.hasAccepted(chat.id, account.id);
    return accepted ? { text: t('gate.already') } : { text: t('gate.not_for_you'), alert: true };
  }
  const rules = await currentRules(services, work.tx, chat);
  await gate.accept(chat.id, account.id, rules.version, 'greeting', work.now);
  await gate.updateEntry(entry.id, { rulesAcceptedAt: work.now });
  if (entry.needsModerator && entry.moderatorDecision !== 'approved')
    return { text: t('gate.awaiting_moderator') };
  await admitIfReady(services, work, chat, 'entry', entry.id);
  return { text: t('gate.accepted') };
}

/** A gated newcomer left before accepting: their entry closes, and the greeting with it if it was theirs alone. */
export async function onNewcomerLeft(
  services: Services,
  work: Work,
  chat: ChatRecord,
  accountId: number,
): Promise<void> {
  const gate = createGateRepository(work.tx);
  const entry = await gate.pendingEntry(chat.id, accountId);
  if (!entry) return;
  await gate.closeEntry(entry.id, 'left', work.now);
  const greeting = entry.greetingId ? await gate.greeting(entry.greetingId) : undefined;
  if (greeting) await refreshGreeting(services, work, chat, greeting);
}
