import { createAuditRepository } from '../../db/repos/audit.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import type {
  BotMembershipChanged,
  BotRights,
  ChatInfo,
  ChatMigrated,
  MemberStatus,
} from '../../messenger/port.js';
import type { Services, Work } from '../../runtime/services.js';

const PRESENT: ReadonlySet<MemberStatus> = new Set(['creator', 'administrator', 'member', 'restricted']);

export function chatsRepo(services: Services, work: Work) {
  return createChatsRepository(work.tx, services.deps.defaultLanguage);
}

/** The chat's record, from the cache or the database; registers a chat the bot has not seen yet. */
export async function loadChat(services: Services, work: Work, info: ChatInfo): Promise<ChatRecord> {
  const repo = chatsRepo(services, work);
  const existing = await repo.find(info.platform, info.platformChatId);
  if (existing && existing.title === info.title && existing.type === info.type) {
    work.afterCommit(() => services.rememberChat(existing));
    return existing;
  }
  const { chat } = await repo.upsert(info, undefined, work.now);
  work.afterCommit(() => services.rememberChat(chat));
  return chat;
}

/** Which of the rights the bot needs are missing. */
export function missingRights(rights: BotRights): Array<'restrict' | 'delete' | 'invite'> {
  const missing: Array<'restrict' | 'delete' | 'invite'> = [];
  if (!rights.canRestrictMembers) missing.push('restrict');
  if (!rights.canDeleteMessages) missing.push('delete');
  if (!rights.canInviteUsers) missing.push('invite');
  return missing;
}

function rightsText(services: Services, chat: ChatRecord, missing: ReturnType<typeof missingRights>): string {
  const t = services.texts.t(chat.settings.language);
  const { rights } = services.platform(chat.platform).capabilities;
  if (rights === 'admin') return t('bot.rights_missing_admin');
  // MAX names an administrator's permissions its own way; the text names the ones to tick.
  const names = [
    ...new Set(
      missing.map((right) => t(rights === 'permissions' ? `bot.permission_${right}` : `bot.right_${right}`)),
    ),
  ];
  return t('bot.rights_missing', { rights: names.join(', ') });
}

/**
 * The bot was added to a chat, removed from it, or had its rights changed: register the chat, and tell
 * the chat what the bot can't do yet.
 */
export async function onBotMembership(
  services: Services,
  work: Work,
  event: BotMembershipChanged,
): Promise<void> {
  const repo = chatsRepo(services, work);
  // Register (or touch) the chat first: from here this transaction holds its row, so `before` is what the
  // last committed change left, even when another replica handles an update of this chat at the same time.
  const { chat: before, created } = await repo.upsert(event.chat, undefined, work.now);
  const present = PRESENT.has(event.status);
  const chat = await repo.setBot(before.id, event.status, event.rights, work.now);
  work.afterCommit(() => services.rememberChat(chat));
  const audit = createAuditRepository(work.tx);
  if (!present) {
    await audit.append({
      at: work.now,
      schoolId: chat.schoolId,
      chatId: chat.id,
      actorKind: 'system',
      action: 'bot_removed',
      details: { status: event.status },
    });
    return;
  }
  // Admins may have changed along with the bot's own standing: read them again on next use.
  await repo.setAdminsRefreshed(chat.id, null);
  work.afterCommit(() => services.admins.delete(chat.id));

  const t = services.texts.t(chat.settings.language);
  const address = { platform: chat.platform, platformChatId: chat.platformChatId };
  const missing = missingRights(event.rights);
  // A chat first seen through a message (standing unknown) has not been greeted yet either.
  const wasPresent = PRESENT.has(before.botStatus as MemberStatus);
  if (created || !wasPresent) {
    await audit.append({
      at: work.now,
      schoolId: chat.schoolId,
      chatId: chat.id,
      actorKind: 'system',
      action: 'chat_registered',
      details: { title: chat.title, type: chat.type, rejoined: !created },
    });
    const lines = [t('bot.hello')];
    if (missing.length > 0) lines.push(rightsText(services, chat, missing));
    if (event.chat.type === 'group') lines.push(t('bot.basic_group'));
    await work.enqueue({ type: 'send', chat: address, text: lines.join('\n\n') }, { chatId: chat.id });
    return;
  }
  const previouslyMissing = missingRights(before.botRights);
  const sameRights = previouslyMissing.join() === missing.join();
  if (sameRights) return;
  const text = missing.length > 0 ? rightsText(services, chat, missing) : t('bot.rights_ok');
  await work.enqueue({ type: 'send', chat: address, text }, { chatId: chat.id });
}

/** A basic group became a supergroup with a new id: the chat keeps its rules, settings and history. */
export async function onChatMigrated(services: Services, work: Work, event: ChatMigrated): Promise<void> {
  const repo = chatsRepo(services, work);
  const chat = await repo.migrate(event.chat.platform, event.fromChatId, event.toChatId, work.now);
  work.afterCommit(() => {
    services.forgetChat(event.chat.platform, event.fromChatId);
    services.forgetChat(event.chat.platform, event.toChatId);
  });
  if (!chat) return;
  await createAuditRepository(work.tx).append({
    at: work.now,
    schoolId: chat.schoolId,
    chatId: chat.id,
    actorKind: 'system',
    action: 'chat_migrated',
    details: { from: event.fromChatId, to: event.toChatId },
  });
}
