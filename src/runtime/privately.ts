import { type AccountRecord, createAdminsRepository } from '../db/repos/accounts.js';
import type { ChatRecord } from '../db/repos/chats.js';
import type { Translate } from '../i18n/index.js';
import { commandsLaneOf } from '../outbox/enqueue.js';
import { outcome } from '../outbox/outcomes.js';
import type { OutcomeHandlers } from '../outbox/worker.js';
import { chatAddress, privateChatOf } from './format.js';
import type { Services, Work } from './services.js';

/**
 * Privacy in class chats: what lists people or history (a moderator's /log, /strikes, /stats, /settings,
 * the result of /link, failure reports, report confirmations) is said to a person privately; the group
 * sees at most one neutral line saying where the answer went, never the answer itself.
 */

/** The start link's payload for someone who has no private chat with the bot yet. */
export const ANSWERS_START_PAYLOAD = 'answers';

export interface PrivateAnswer {
  chat: ChatRecord;
  /** Who asked; absent for an anonymous sender (nothing can reach them privately). */
  account: AccountRecord | undefined;
  /** The whole answer, in the chat's language. */
  text: string;
  /** The command as typed (without the slash), named in the group's line. */
  command: string;
  /** The command's message, deleted from the group where the bot may delete messages. */
  commandMessageId?: string;
  /** No line in the group when the answer went privately (a reporter must stay unseen). */
  quietInGroup?: boolean;
  /** The group's line when the answer cannot go privately; by default it asks to open the chat. */
  fallback?: string;
}

/** How an answer went: privately, or not at all (the group was told how to open the private chat). */
export type AnswerRoute = 'private' | 'start_link';

/**
 * Deletes a command from the group once its answer went elsewhere (privately, or a refusal): retried like
 * any action in the chat's commands lane, nothing waits behind it. Best effort, never reported to the
 * moderators: some platforms (VK) never let a bot delete an administrator's or the owner's message.
 */
export function deleteCommand(work: Work, chat: ChatRecord, messageId: string): Promise<void> {
  const address = chatAddress(chat);
  return work.enqueue(
    { type: 'delete', chat: address, messageId },
    { chatId: chat.id, lane: commandsLaneOf(address), onFailed: outcome('privacy.command_deleted', {}) },
  );
}

/**
 * Sends `text` to the asker privately with the chat's name on top, deletes their command from the group
 * (where the bot can), and tells the group in one line where the answer went — or, when the bot has no
 * private chat with the asker, how to open one (the platform's start link) and to ask again.
 */
export async function answerPrivately(
  services: Services,
  work: Work,
  answer: PrivateAnswer,
): Promise<AnswerRoute> {
  const { chat, account } = answer;
  const t = services.texts.t(chat.settings.language);
  if (answer.commandMessageId && chat.botRights.canDeleteMessages)
    await deleteCommand(work, chat, answer.commandMessageId);
  if (account?.privateChatOpen) {
    const text = `${t('privacy.from_chat', { title: chat.title })}\n${answer.text}`;
    await work.enqueue({ type: 'send', chat: privateChatOf(account), text });
    if (!answer.quietInGroup)
      await groupLine(work, chat, t('privacy.answer_sent', { command: answer.command }));
    return 'private';
  }
  const link = services.platform(chat.platform).startLink(ANSWERS_START_PAYLOAD);
  await groupLine(
    work,
    chat,
    answer.fallback ?? t('privacy.answer_needs_start', { command: answer.command, link }),
  );
  return 'start_link';
}

/**
 * Tells the chat's moderators who have a private chat with the bot, each in their own language.
 * Returns how many were told; with none, the caller says what it can in the group without names.
 */
export async function tellModeratorsPrivately(
  services: Services,
  work: Work,
  chat: ChatRecord,
  render: (t: Translate) => string,
  options: { except?: number } = {},
): Promise<number> {
  const moderators = await createAdminsRepository(work.tx).reachableModerators(chat.id);
  let told = 0;
  for (const moderator of moderators) {
    if (moderator.id === options.except) continue;
    const t = services.texts.t(services.texts.languageFor(moderator.languageCode ?? undefined));
    await work.enqueue({ type: 'send', chat: privateChatOf(moderator), text: render(t) });
    told += 1;
  }
  return told;
}

/** The group's one neutral line, with how moderators open a private chat with the bot. */
export function moderatorsStartLine(services: Services, chat: ChatRecord): string {
  const t = services.texts.t(chat.settings.language);
  return t('privacy.moderators_start', {
    link: services.platform(chat.platform).startLink(ANSWERS_START_PAYLOAD),
  });
}

async function groupLine(work: Work, chat: ChatRecord, text: string): Promise<void> {
  await work.enqueue({ type: 'send', chat: chatAddress(chat), text }, { chatId: chat.id });
}

/** A command the platform would not delete stays in the chat; nobody needs telling (it holds no answer). */
export function privacyOutcomes(): Pick<OutcomeHandlers, 'privacy.command_deleted'> {
  return { 'privacy.command_deleted': {} };
}
