import { type AccountRecord, createAccountsRepository } from '../../db/repos/accounts.js';
import { createAssistanceRepository, type SuggestionRow } from '../../db/repos/assistance.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import type { ButtonPressed, MessagePosted, UserInfo } from '../../messenger/port.js';
import type { ButtonAnswer, ButtonRoute } from '../../runtime/buttons.js';
import { auditModeratorAction, type GroupContext } from '../../runtime/commands.js';
import { chatAddress } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { standingOf } from '../membership/moderators.js';
import { strikeCommand } from '../strikes/strike-command.js';
import { FLAG_BUTTON_PREFIX } from './flag.js';
import { forgetDismissals } from './state.js';

/** «Не нарушение» for shouting or flooding spares that member in that chat for a day. */
const MEMBER_DISMISSAL_MS = 24 * 60 * 60 * 1000;

function userOf(account: AccountRecord): UserInfo {
  return {
    userId: account.platformUserId,
    firstName: account.firstName,
    ...(account.lastName ? { lastName: account.lastName } : {}),
    ...(account.username ? { username: account.username } : {}),
    isBot: account.isBot,
  };
}

interface Prepared {
  moderator: boolean;
  authorIsModerator: boolean;
}

async function prepare(services: Services, event: ButtonPressed, id: number): Promise<Prepared> {
  const suggestion = await createAssistanceRepository(services.db).suggestion(id);
  const chat = suggestion
    ? await createChatsRepository(services.db, services.deps.defaultLanguage).byId(suggestion.chatId)
    : undefined;
  if (!suggestion || !chat) return { moderator: false, authorIsModerator: false };
  const moderator = (await standingOf(services, chat, { kind: 'user', user: event.user })) === 'moderator';
  const author = await createAccountsRepository(services.db).byId(suggestion.accountId);
  const authorIsModerator = author
    ? (await standingOf(services, chat, { kind: 'user', user: userOf(author) })) === 'moderator'
    : false;
  return { moderator, authorIsModerator };
}

/**
 * «Предупреждение по правилу N» records the strike exactly as `/strike N` replying to the message would:
 * the strikes use case runs with the moderator as its author; what it refuses is the button's answer.
 */
async function strike(
  services: Services,
  work: Work,
  event: ButtonPressed,
  chat: ChatRecord,
  suggestion: SuggestionRow,
  author: AccountRecord,
  moderatorAccount: AccountRecord | undefined,
  authorIsModerator: boolean,
): Promise<string | undefined> {
  const t = services.texts.t(chat.settings.language);
  const posted: MessagePosted = {
    kind: 'message',
    updateKey: `flag:${suggestion.id}:strike`,
    at: work.now,
    chat: {
      platform: chat.platform,
      platformChatId: chat.platformChatId,
      type: 'supergroup',
      title: chat.title,
    },
    sender: { kind: 'user', user: event.user },
    messageId: suggestion.messageId,
    text: `/strike ${suggestion.ruleNumber}`,
    command: { name: 'strike', args: String(suggestion.ruleNumber) },
    replyTo: {
      messageId: suggestion.messageId,
      sender: { kind: 'user', user: userOf(author) },
      text: suggestion.excerpt ?? '',
    },
  };
  let refusal: string | undefined;
  const ctx: GroupContext = {
    services,
    work,
    event: posted,
    address: chatAddress(chat),
    chat,
    account: moderatorAccount,
    isModerator: true,
    replyAuthorIsModerator: authorIsModerator,
    language: chat.settings.language,
    t,
    reply: async (text) => {
      refusal = text;
    },
    refuse: async (text) => {
      refusal = text;
    },
    // The moderator pressed in their private chat: whatever the command would answer privately is theirs.
    answerPrivately: async (text) => {
      refusal = text;
    },
  };
  await strikeCommand.run(ctx);
  return refusal;
}

async function onFlagButton(
  services: Services,
  work: Work,
  event: ButtonPressed,
  id: number,
  choice: 's' | 'd' | 'n',
  prepared: Prepared,
): Promise<ButtonAnswer> {
  const t = services.texts.t(services.texts.languageFor(event.user.languageCode));
  if (!prepared.moderator) return { text: t('refusal.not_moderator'), alert: true };
  const repo = createAssistanceRepository(work.tx);
  const suggestion = await repo.suggestion(id);
  const chat = suggestion
    ? await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(suggestion.chatId)
    : undefined;
  const accounts = createAccountsRepository(work.tx);
  const author = suggestion ? await accounts.byId(suggestion.accountId) : undefined;
  if (!suggestion || !chat || !author) return { text: t('gate.unknown_button') };
  if (suggestion.status !== 'open') return { text: t('assistance.already_decided'), alert: true };
  const moderator = await accounts.find(event.chat.platform, event.user.userId);
  const moderatorId = moderator?.id ?? null;
  let verdict: string;
  if (choice === 's') {
    if (suggestion.ruleNumber === null) return { text: t('assistance.no_rule'), alert: true };
    const refused = await strike(
      services,
      work,
      event,
      chat,
      suggestion,
      author,
      moderator,
      prepared.authorIsModerator,
    );
    if (refused) return { text: refused, alert: true };
    await repo.close(id, 'struck', moderatorId, work.now);
    verdict = t('assistance.struck', { rule: suggestion.ruleNumber, title: chat.title });
  } else if (choice === 'd') {
    await work.enqueue(
      { type: 'delete', chat: chatAddress(chat), messageId: suggestion.messageId },
      { chatId: chat.id },
    );
    await audit(services, work, chat, moderator, {
      action: 'message_deleted',
      targetAccountId: author.id,
      details: { messageId: suggestion.messageId, excerpt: suggestion.excerpt, flagged: suggestion.signal },
    });
    await repo.close(id, 'deleted', moderatorId, work.now);
    verdict = t('assistance.deleted', { title: chat.title });
  } else {
    const perMember = suggestion.signal === 'shouting' || suggestion.signal === 'flooding';
    await repo.dismiss({
      chatId: chat.id,
      pattern: suggestion.pattern,
      accountId: perMember ? author.id : null,
      until: perMember ? new Date(work.now.getTime() + MEMBER_DISMISSAL_MS) : null,
      createdAt: work.now,
    });
    await repo.close(id, 'dismissed', moderatorId, work.now);
    work.afterCommit(() => forgetDismissals(services, chat.id));
    verdict = t(perMember ? 'assistance.dismissed_member' : 'assistance.dismissed_pattern', {
      title: chat.title,
    });
  }
  await work.enqueue({ type: 'edit', chat: event.chat, messageId: event.messageId, text: verdict });
  return { text: verdict };
}

async function audit(
  services: Services,
  work: Work,
  chat: ChatRecord,
  moderator: AccountRecord | undefined,
  entry: Parameters<typeof auditModeratorAction>[1],
): Promise<void> {
  const t = services.texts.t(chat.settings.language);
  await auditModeratorAction(
    {
      services,
      work,
      chat,
      account: moderator,
      t,
    } as unknown as GroupContext,
    entry,
  );
}

export const assistanceButtons: ButtonRoute[] = [
  {
    prefix: FLAG_BUTTON_PREFIX,
    pattern: /^(\d{1,9}):([sdn])$/,
    prepare: (s, e, [id]) => prepare(s, e, Number(id)),
    handle: (s, w, e, [id, choice], prepared) =>
      onFlagButton(s, w, e, Number(id), choice as 's' | 'd' | 'n', prepared as Prepared),
  },
];
