import { createChatAssistanceRepository } from '../../db/repos/assistance.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import type { ChatPermissions, UserInfo } from '../../messenger/port.js';
import { parseQuietHours, quietNight } from '../../moderation/assistance/quiet.js';
import { chatAddress, privateChatOf } from '../../runtime/format.js';
import type { Services } from '../../runtime/services.js';
import { quietHoursWords } from '../chat-admin/setting-words.js';
import { saveAccount } from '../membership/members.js';
import { chatState } from './state.js';

/**
 * Quiet hours and announcement-only chats where the platform can set a chat's default permissions
 * (Telegram): the chat is made read-only for members (moderators, its administrators, still post) and
 * at the end gets back the permissions it had before, saved at the start rather than read again. The
 * job reconciles every chat with its wanted state from the local calendar, so a restart in between, or
 * a DST change, neither skips nor repeats a night.
 */

/** Whether the chat should be read-only now. */
export function wantsClosed(services: Services, chat: ChatRecord, now: Date): boolean {
  if (chat.settings.announce_only === 'on') return true;
  const hours = parseQuietHours(chat.settings.quiet_hours);
  return hours ? quietNight(now, hours, services.deps.timeZone) !== undefined : false;
}

export async function reconcileQuietChat(services: Services, chat: ChatRecord): Promise<void> {
  if (!services.platform(chat.platform).capabilities.chatPermissions) return;
  const now = services.clock.now();
  const state = await createChatAssistanceRepository(services.db).get(chat.id);
  const closed = state?.quietClosedAt != null;
  const wanted = wantsClosed(services, chat, now);
  if (wanted === closed) return;
  // Read the permissions before the transaction: a network call must not hold database locks.
  let before: ChatPermissions | undefined;
  if (wanted) before = await services.directory(chat.platform).readChatPermissions(chatAddress(chat));
  await services.transact(async (work) => {
    const repo = createChatAssistanceRepository(work.tx);
    const row = await repo.lock(chat.id);
    if ((row.quietClosedAt != null) === wanted) return;
    if (wanted && before) {
      const hours = parseQuietHours(chat.settings.quiet_hours);
      const night = hours ? quietNight(work.now, hours, services.deps.timeZone) : undefined;
      await repo.update(chat.id, {
        quietSavedPermissions: before,
        quietClosedAt: work.now,
        quietReopenAt: chat.settings.announce_only === 'on' ? null : (night?.end ?? null),
      });
      await work.enqueue(
        { type: 'set_read_only', chat: chatAddress(chat), readOnly: true },
        { chatId: chat.id },
      );
      return;
    }
    await work.enqueue(
      {
        type: 'set_read_only',
        chat: chatAddress(chat),
        readOnly: false,
        ...(row.quietSavedPermissions ? { saved: row.quietSavedPermissions } : {}),
      },
      { chatId: chat.id },
    );
    await repo.update(chat.id, { quietSavedPermissions: null, quietClosedAt: null, quietReopenAt: null });
  });
}

export async function reconcileQuietHours(services: Services): Promise<number> {
  const ids = await createChatAssistanceRepository(services.db).quietChatIds();
  const chats = await createChatsRepository(services.db, services.deps.defaultLanguage).byIds(ids);
  let changed = 0;
  for (const chat of chats) {
    try {
      await reconcileQuietChat(services, chat);
      changed++;
    } catch (error) {
      services.log.warn({ err: error, chatId: chat.id }, 'quiet hours: could not update the chat');
    }
  }
  return changed;
}

/**
 * Where a chat cannot be made read-only (VK): someone who writes during quiet hours is reminded
 * privately, once a night, if the bot may write to them.
 */
export async function remindDuringQuietHours(
  services: Services,
  chat: ChatRecord,
  user: UserInfo,
  now: Date,
): Promise<void> {
  if (services.platform(chat.platform).capabilities.chatPermissions) return;
  const hours = parseQuietHours(chat.settings.quiet_hours);
  const night = hours ? quietNight(now, hours, services.deps.timeZone) : undefined;
  if (!night) return;
  const state = chatState(services, chat.id);
  const nightKey = night.start.toISOString();
  if (state.quietNight?.night !== nightKey) state.quietNight = { night: nightKey, users: new Set() };
  if (state.quietNight.users.has(user.userId)) return;
  state.quietNight.users.add(user.userId);
  await services.transact(async (work) => {
    const repo = createChatAssistanceRepository(work.tx);
    const row = await repo.lock(chat.id);
    const nightId = night.start.toISOString();
    const reminded = row.quietRemindedNight === nightId ? (row.quietReminded ?? []) : [];
    if (reminded.includes(user.userId)) return;
    await repo.update(chat.id, { quietRemindedNight: nightId, quietReminded: [...reminded, user.userId] });
    const account = await saveAccount(services, work, chat.platform, user);
    if (!account.privateChatOpen) return;
    const t = services.texts.t(services.texts.languageFor(account.languageCode ?? undefined));
    await work.enqueue({
      type: 'send',
      chat: privateChatOf(account),
      text: t('assistance.quiet_reminder', {
        title: chat.title,
        hours: quietHoursWords(t, chat.settings.quiet_hours),
      }),
    });
  });
}
