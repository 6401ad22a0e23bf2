import type { Tx } from '../../db/client.js';
import { type AccountRecord, createAccountsRepository } from '../../db/repos/accounts.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import { createGateRepository, type GreetingRow } from '../../db/repos/rules-gate.js';
import { createModerationRepository } from '../../db/repos/strikes-blocks.js';
import type { ButtonPressed, ButtonSpec, JoinRequested } from '../../messenger/port.js';
import { formatRules } from '../../moderation/rules.js';
import type { Action } from '../../outbox/actions.js';
import { enqueue, laneOf, type OutcomeHandler } from '../../outbox/outbox.js';
import { chatAddress, displayName, when } from '../../runtime/format.js';
import type { Core, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { removedByRoster } from '../roster/roster.js';
import { currentRules } from '../rules/rules-commands.js';

/**
 * The rules gate (regulation 4.13.3): before a person is included in the chat, they are acquainted
 * with its rules. Through a join-request link the bot sends the rules privately and approves the
 * request only after the person accepts them; anyone arriving another way is greeted in the chat with
 * the rules and stays read-only until they press the button. Every acceptance is kept as proof.
 */

/** Newcomers arriving within this long share one greeting. */
export const GREETING_WINDOW_MS = 60_000;

export interface ButtonAnswer {
  text?: string;
  alert?: boolean;
}

export const GATE_BUTTONS = {
  request: 'g:r:',
  greeting: 'g:n:',
  confirm: 'g:c:',
} as const;

function acceptButton(core: Core, chat: ChatRecord, data: string): ButtonSpec[][] {
  return [[{ text: core.texts.t(chat.settings.language)('gate.button'), data }]];
}

/** A join request: decline those who may not come in, else send the rules privately with the button. */
export async function onJoinRequest(core: Core, work: Work, event: JoinRequested): Promise<void> {
  const chat = await loadChat(core, work, event.chat);
  const account = await saveAccount(core, work, chat.platform, event.user);
  const gate = createGateRepository(work.tx);
  const t = core.texts.t(chat.settings.language);
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
  const block = await createModerationRepository(work.tx).liveBlock(chat.id, account.id);
  if (block && block.mode === 'ban') {
    const until = when(core, block.endsAt, chat.settings.language);
    return decline(t('gate.request_declined_blocked', { title: chat.title, until }));
  }

  const rules = await currentRules(core, work.tx, chat);
  const alreadyAccepted = await gate.hasAccepted(chat.id, account.id, rules.version);
  if (chat.settings.rules_gate === 'off' || alreadyAccepted) {
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
    privateChatId: privateChat.chatId,
    inviteLink: event.inviteLink ?? null,
    status: 'pending',
    rulesVersion: rules.version,
    requestedAt: work.now,
    expiresAt: new Date(work.now.getTime() + hours * 3600_000),
  });
  const text = [
    t('gate.request_intro', { name: displayName(account), title: chat.title }),
    formatRules(rules.rules),
    t('gate.request_deadline', { within: t('time.within_hours', { count: hours }) }),
  ].join('\n\n');
  await work.enqueue(
    {
      type: 'send',
      chat: privateChat,
      text,
      options: { buttons: acceptButton(core, chat, `${GATE_BUTTONS.request}${request.id}`) },
    },
    { onDone: { name: 'gate.request_message', args: { requestId: request.id } } },
  );
}

/** The applicant pressed "I accept" in the private chat: record it and approve the request. */
export async function onRequestButton(
  core: Core,
  work: Work,
  event: ButtonPressed,
  requestId: number,
): Promise<ButtonAnswer> {
  const gate = createGateRepository(work.tx);
  const request = await gate.request(requestId);
  const chat = request
    ? await createChatsRepository(work.tx, core.deps.defaultLanguage).byId(request.chatId)
    : undefined;
  if (!request || !chat)
    return { text: core.texts.t(core.texts.languageFor(event.user.languageCode))('gate.unknown_button') };
  const t = core.texts.t(chat.settings.language);
  const account = await createAccountsRepository(work.tx).byId(request.accountId);
  if (!account || account.platformUserId !== event.user.userId)
    return { text: t('gate.not_for_you'), alert: true };
  if (request.status !== 'pending') return { text: t('gate.request_closed') };
  await gate.accept(chat.id, account.id, request.rulesVersion, 'join_request', work.now);
  await gate.updateRequest(request.id, { status: 'accepted' });
  await work.enqueue(
    { type: 'approve_join', chat: chatAddress(chat), userId: account.platformUserId },
    {
      chatId: chat.id,
      onDone: { name: 'gate.request_approved', args: { requestId: request.id } },
      onFailed: { name: 'gate.request_approved', args: { requestId: request.id } },
    },
  );
  return { text: t('gate.accepted') };
}

function greetingText(
  core: Core,
  chat: ChatRecord,
  gated: boolean,
  people: AccountRecord[],
  rules: string[],
): string {
  const t = core.texts.t(chat.settings.language);
  const names = people.map(displayName).join(', ');
  const intro = t(gated ? 'gate.greeting' : 'gate.greeting_open', { names, title: chat.title });
  return `${intro}\n\n${formatRules(rules)}`;
}

async function renderGreeting(core: Core, tx: Tx, chat: ChatRecord, greeting: GreetingRow) {
  const gate = createGateRepository(tx);
  const people = await gate.greetingPeople(greeting.id, greeting.gated);
  const rules = await currentRules(core, tx, chat);
  const accounts = people.map((row) => row.account as AccountRecord);
  return {
    ids: accounts.map((account) => account.id),
    text: greetingText(core, chat, greeting.gated, accounts, rules.rules),
    buttons: greeting.gated ? acceptButton(core, chat, `${GATE_BUTTONS.greeting}${greeting.id}`) : undefined,
  };
}

/**
 * Brings a posted greeting in line with who it addresses: edits it when newcomers joined it or
 * accepted, deletes it once nobody is left to accept (so the chat stays clean).
 */
async function refreshGreeting(core: Core, tx: Tx, chat: ChatRecord, stale: GreetingRow): Promise<void> {
  const gate = createGateRepository(tx);
  // Read again under a lock: another transaction (another replica, the send's outcome) may have just
  // given it its message id or its newcomers, and without the lock each could miss the other's change.
  const greeting = await gate.lockGreeting(stale.id);
  if (!greeting?.messageId || greeting.closedAt) return;
  const view = await renderGreeting(core, tx, chat, greeting);
  const address = chatAddress(chat);
  if (greeting.gated && view.ids.length === 0) {
    await gate.updateGreeting(greeting.id, { closedAt: core.clock.now() });
    await enqueue(
      tx,
      core.clock,
      { type: 'delete', chat: address, messageId: greeting.messageId },
      { chatId: chat.id },
    );
    return;
  }
  const rendered = (greeting.rendered as number[]) ?? [];
  if (rendered.join() === view.ids.join()) return;
  await gate.updateGreeting(greeting.id, { rendered: view.ids });
  const edit: Action = { type: 'edit', chat: address, messageId: greeting.messageId, text: view.text };
  if (view.buttons) edit.buttons = view.buttons;
  await enqueue(tx, core.clock, edit, { chatId: chat.id });
}

/**
 * People who arrived other than through an accepted join request: with the gate on they are made
 * read-only and greeted with the rules and the button; with it off they are only greeted. Admins,
 * bots and anyone who accepted this chat's rules before are let be.
 */
export async function admitNewcomers(
  core: Core,
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
    const blocked = await createModerationRepository(work.tx).liveBlock(chat.id, account.id);
    if (gated && !blocked) {
      await work.enqueue(
        { type: 'mute', chat: address, userId: account.platformUserId },
        { chatId: chat.id },
      );
    }
  }
  if (fresh) {
    const view = await renderGreeting(core, work.tx, chat, greeting);
    await gate.updateGreeting(greeting.id, { rendered: view.ids });
    await work.enqueue(
      {
        type: 'send',
        chat: address,
        text: view.text,
        options: view.buttons ? { buttons: view.buttons } : {},
      },
      { chatId: chat.id, onDone: { name: 'gate.greeting_sent', args: { greetingId: greeting.id } } },
    );
  } else {
    await refreshGreeting(core, work.tx, chat, greeting);
  }
}

/** A newcomer pressed the greeting's button: only their own press releases them. */
export async function onGreetingButton(
  core: Core,
  work: Work,
  event: ButtonPressed,
  greetingId: number,
): Promise<ButtonAnswer> {
  const gate = createGateRepository(work.tx);
  const chat = await loadChat(core, work, event.chat);
  const t = core.texts.t(chat.settings.language);
  const greeting = await gate.greeting(greetingId);
  if (!greeting || greeting.chatId !== chat.id) return { text: t('gate.unknown_button') };
  const account = await saveAccount(core, work, chat.platform, event.user);
  const entry = await gate.pendingEntry(chat.id, account.id);
  if (!entry || entry.greetingId !== greeting.id) {
    const accepted = await gate.hasAccepted(chat.id, account.id);
    return accepted ? { text: t('gate.already') } : { text: t('gate.not_for_you'), alert: true };
  }
  const rules = await currentRules(core, work.tx, chat);
  await gate.accept(chat.id, account.id, rules.version, 'greeting', work.now);
  await gate.closeEntry(entry.id, 'accepted', work.now);
  // A member blocked meanwhile stays read-only: the block's own lift restores them.
  const block = await createModerationRepository(work.tx).liveBlock(chat.id, account.id);
  if (block?.mode !== 'mute') {
    await work.enqueue(
      { type: 'unmute', chat: chatAddress(chat), userId: account.platformUserId },
      { chatId: chat.id },
    );
  }
  await refreshGreeting(core, work.tx, chat, greeting);
  return { text: t('gate.accepted') };
}

/** `/rules confirm`: members confirm the current rules; acceptances are recorded, nobody is restricted. */
export async function onConfirmButton(
  core: Core,
  work: Work,
  event: ButtonPressed,
  version: number,
): Promise<ButtonAnswer> {
  const chat = await loadChat(core, work, event.chat);
  const t = core.texts.t(chat.settings.language);
  const rules = await currentRules(core, work.tx, chat);
  if (rules.version !== version) return { text: t('gate.confirm_outdated'), alert: true };
  const account = await saveAccount(core, work, chat.platform, event.user);
  const recorded = await createGateRepository(work.tx).accept(
    chat.id,
    account.id,
    version,
    'confirm',
    work.now,
  );
  return { text: recorded ? t('gate.confirm_thanks') : t('gate.already') };
}

/** A gated newcomer left before accepting: their entry closes, and the greeting with it if it was theirs alone. */
export async function onNewcomerLeft(
  core: Core,
  work: Work,
  chat: ChatRecord,
  accountId: number,
): Promise<void> {
  const gate = createGateRepository(work.tx);
  const entry = await gate.pendingEntry(chat.id, accountId);
  if (!entry) return;
  await gate.closeEntry(entry.id, 'left', work.now);
  const greeting = entry.greetingId ? await gate.greeting(entry.greetingId) : undefined;
  if (greeting) await refreshGreeting(core, work.tx, chat, greeting);
}

/**
 * Declines join requests whose applicants did not accept the rules within `gate_hours`, and tells
 * them so by editing the rules message (the bot may no longer be allowed to start a new one).
 */
export async function expireJoinRequests(core: Core, batch = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await core.transact(async (work) => {
      const expired = await createGateRepository(work.tx).claimExpiredRequests(work.now, batch);
      for (const request of expired) {
        const chat = await createChatsRepository(work.tx, core.deps.defaultLanguage).byId(request.chatId);
        const account = await createAccountsRepository(work.tx).byId(request.accountId);
        if (!chat || !account) continue;
        await work.enqueue(
          { type: 'decline_join', chat: chatAddress(chat), userId: account.platformUserId },
          { chatId: chat.id },
        );
        if (request.messageId) {
          const t = core.texts.t(chat.settings.language);
          const text = t('gate.request_expired', {
            title: chat.title,
            within: t('time.within_hours', { count: chat.settings.gate_hours }),
          });
          await work.enqueue({
            type: 'edit',
            chat: { platform: chat.platform, chatId: request.privateChatId },
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

/** Outcomes of the gate's platform actions. */
export function gateOutcomeHandlers(core: Core): Map<string, OutcomeHandler> {
  const chatOf = (tx: Tx, id: number) => createChatsRepository(tx, core.deps.defaultLanguage).byId(id);
  return new Map<string, OutcomeHandler>([
    [
      'gate.request_message',
      {
        async done(tx, args, result) {
          if (result?.messageId) {
            await createGateRepository(tx).updateRequest(Number(args.requestId), {
              messageId: result.messageId,
            });
          }
        },
      },
    ],
    [
      'gate.request_approved',
      {
        async done(tx, args) {
          const gate = createGateRepository(tx);
          const request = await gate.request(Number(args.requestId));
          const chat = request ? await chatOf(tx, request.chatId) : undefined;
          if (!request || !chat) return;
          await gate.updateRequest(request.id, { status: 'approved', decidedAt: core.clock.now() });
          if (!request.messageId) return;
          const text = core.texts.t(chat.settings.language)('gate.request_approved', { title: chat.title });
          const privateChat = { platform: chat.platform, chatId: request.privateChatId };
          await enqueue(tx, core.clock, {
            type: 'edit',
            chat: privateChat,
            messageId: request.messageId,
            text,
          });
        },
        async failed(tx, args) {
          const gate = createGateRepository(tx);
          const request = await gate.request(Number(args.requestId));
          const chat = request ? await chatOf(tx, request.chatId) : undefined;
          if (!request || !chat) return;
          await gate.updateRequest(request.id, { status: 'declined', decidedAt: core.clock.now() });
          if (!request.messageId) return;
          const text = core.texts.t(chat.settings.language)('gate.request_failed', { title: chat.title });
          const privateChat = { platform: chat.platform, chatId: request.privateChatId };
          await enqueue(tx, core.clock, {
            type: 'edit',
            chat: privateChat,
            messageId: request.messageId,
            text,
          });
        },
      },
    ],
    [
      'gate.greeting_sent',
      {
        async done(tx, args, result) {
          const gate = createGateRepository(tx);
          const greeting = await gate.greeting(Number(args.greetingId));
          const chat = greeting ? await chatOf(tx, greeting.chatId) : undefined;
          if (!greeting || !chat || !result?.messageId) return;
          await gate.updateGreeting(greeting.id, { messageId: result.messageId });
          // Newcomers who joined or accepted while the greeting was on its way are caught up now.
          await refreshGreeting(core, tx, chat, greeting);
        },
      },
    ],
  ]);
}
