import type { AccountRecord } from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createGateRepository, type GreetingRow } from '../../db/repos/rules-gate.js';
import type { ButtonPressed } from '../../messenger/port.js';
import { formatRules } from '../../moderation/rules.js';
import type { Action } from '../../outbox/actions.js';
import { outcome } from '../../outbox/outcomes.js';
import type { ButtonAnswer } from '../../runtime/buttons.js';
import { chatAddress, displayName } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { currentRules } from '../rules/rules.js';
import { acceptButton, GATE_BUTTONS } from './buttons.js';

/**
 * Newcomers who arrive other than through an accepted join request (regulation 4.13.3): greeted in the
 * chat with the rules and a button, and read-only until they press it themselves.
 */

/** Newcomers arriving within this long share one greeting. */
export const GREETING_WINDOW_MS = 60_000;

function greetingText(
  services: Services,
  chat: ChatRecord,
  gated: boolean,
  people: AccountRecord[],
  rules: string[],
): string {
  const t = services.texts.t(chat.settings.language);
  const names = people.map(displayName).join(', ');
  const intro = t(gated ? 'gate.greeting' : 'gate.greeting_open', { names, title: chat.title });
  return `${intro}\n\n${formatRules(rules)}`;
}

async function renderGreeting(services: Services, work: Work, chat: ChatRecord, greeting: GreetingRow) {
  const gate = createGateRepository(work.tx);
  const people = await gate.greetingPeople(greeting.id, greeting.gated);
  const rules = await currentRules(services, work.tx, chat);
  const accounts = people.map((row) => row.account as AccountRecord);
  return {
    ids: accounts.map((account) => account.id),
    text: greetingText(services, chat, greeting.gated, accounts, rules.rules),
    buttons: greeting.gated
      ? acceptButton(services, chat, `${GATE_BUTTONS.greeting}${greeting.id}`)
      : undefined,
  };
}

/**
 * Brings a posted greeting in line with who it addresses: edits it when newcomers joined it or
 * accepted, deletes it once nobody is left to accept (so the chat stays clean).
 */
export async function refreshGreeting(
  services: Services,
  work: Work,
  chat: ChatRecord,
  stale: GreetingRow,
): Promise<void> {
  const gate = createGateRepository(work.tx);
  // Read again under a lock: another transaction (another replica, the send's outcome) may have just
  // given it its message id or its newcomers, and without the lock each could miss the other's change.
  const greeting = await gate.lockGreeting(stale.id);
  if (!greeting?.messageId || greeting.closedAt) return;
  const view = await renderGreeting(services, work, chat, greeting);
  const address = chatAddress(chat);
  if (greeting.gated && view.ids.length === 0) {
    await gate.updateGreeting(greeting.id, { closedAt: work.now });
    await work.enqueue({ type: 'delete', chat: address, messageId: greeting.messageId }, { chatId: chat.id });
    return;
  }
  const rendered = (greeting.rendered as number[]) ?? [];
  if (rendered.join() === view.ids.join()) return;
  await gate.updateGreeting(greeting.id, { rendered: view.ids });
  const edit: Action = { type: 'edit', chat: address, messageId: greeting.messageId, text: view.text };
  if (view.buttons) edit.buttons = view.buttons;
  await work.enqueue(edit, { chatId: chat.id });
}

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
    await gate.insertEntry({
      chatId: chat.id,
      accountId: account.id,
      greetingId: greeting.id,
      status: gated ? 'pending' : 'welcomed',
      joinedAt: work.now,
    });
    // A member under a block is read-only already, until its end; the block's lift keeps them gated.
    const blocked = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
    if (gated && !blocked) {
      await work.enqueue(
        { type: 'mute', chat: address, userId: account.platformUserId },
        { chatId: chat.id },
      );
    }
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
  await gate.closeEntry(entry.id, 'accepted', work.now);
  // A member blocked meanwhile stays read-only: the block's own lift restores them.
  const block = await createBlocksRepository(work.tx).liveBlock(chat.id, account.id);
  if (block?.mode !== 'mute') {
    await work.enqueue(
      { type: 'unmute', chat: chatAddress(chat), userId: account.platformUserId },
      { chatId: chat.id },
    );
  }
  await refreshGreeting(services, work, chat, greeting);
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
