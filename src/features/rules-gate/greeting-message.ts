import type { AccountRecord } from '../../db/repos/accounts.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createGateRepository, type GreetingRow } from '../../db/repos/rules-gate.js';
import { formatRules } from '../../moderation/rules.js';
import type { Action } from '../../outbox/actions.js';
import { chatAddress, displayName } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { chatPrivacyNotice } from '../personal-data/privacy.js';
import { currentRules } from '../rules/rules.js';
import { acceptButton, GATE_BUTTONS } from './buttons.js';

/** The greeting of newcomers in the chat: its text, and keeping the posted message in line with who it addresses. */

/**
 * Room for the school's privacy notice in the greeting: a message of every platform holds 4,000 characters;
 * a notice that would not fit with the rules is left to /privacy, which the greeting then points to.
 */
const GREETING_BUDGET = 3900;

function greetingText(
  services: Services,
  chat: ChatRecord,
  gated: boolean,
  people: AccountRecord[],
  rules: string[],
  notice: string | undefined,
): string {
  const t = services.texts.t(chat.settings.language);
  const names = people.map(displayName).join(', ');
  const intro = t(gated ? 'gate.greeting' : 'gate.greeting_open', { names, title: chat.title });
  const text = `${intro}\n\n${formatRules(rules)}`;
  if (!notice) return text;
  // Issue 17: the notice is shown with the rules on entry, in full.
  const full = `${text}\n\n${t('privacy.title')}\n${notice}`;
  return full.length <= GREETING_BUDGET ? full : `${text}\n\n${t('privacy.pointer')}`;
}

export async function renderGreeting(
  services: Services,
  work: Work,
  chat: ChatRecord,
  greeting: GreetingRow,
) {
  const gate = createGateRepository(work.tx);
  const people = await gate.greetingPeople(greeting.id, greeting.gated);
  const rules = await currentRules(services, work.tx, chat);
  const accounts = people.map((row) => row.account as AccountRecord);
  return {
    ids: accounts.map((account) => account.id),
    text: greetingText(
      services,
      chat,
      greeting.gated,
      accounts,
      rules.rules,
      await chatPrivacyNotice(work.tx, chat),
    ),
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
