import { createAdminsRepository } from '../../db/repos/accounts.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import type { AdminInfo, MemberStatusChanged, Sender } from '../../messenger/port.js';
import { MessengerError } from '../../messenger/port.js';
import type { Services, Work } from '../../runtime/services.js';
import { saveAccount } from './members.js';
import { moderatesUnder, moderatorRule } from './staff.js';

/** After this long the platform is asked again before a non-admin is refused. */
const RECHECK_AFTER_MS = 2 * 60_000;
/** Admins read from the database are trusted this long before asking the platform. */
const STORED_ADMINS_TTL_MS = 60 * 60_000;

const ADMIN_STATUSES = new Set(['creator', 'administrator']);

/**
 * Reads the chat's administrators from the platform and stores them. When the platform says no (the bot
 * is not an admin, the chat is gone) the stored list stays; when it cannot be reached, `strict` makes that
 * an error, so the update is retried rather than a teacher refused for Telegram's hiccup.
 */
export async function refreshAdmins(
  services: Services,
  chat: ChatRecord,
  strict = false,
): Promise<Set<string> | undefined> {
  const address = { platform: chat.platform, platformChatId: chat.platformChatId };
  let admins: AdminInfo[];
  try {
    admins = await services.directory(chat.platform).listAdmins(address);
  } catch (error) {
    const code = error instanceof MessengerError ? error.code : 'UNKNOWN';
    services.log.warn({ chatId: chat.id, code }, 'could not read chat administrators');
    if (strict && (!(error instanceof MessengerError) || error.retryable)) throw error;
    return undefined;
  }
  const userIds = new Set(admins.map((admin) => admin.user.userId));
  await services.transact(async (work) => {
    const rows = [];
    for (const admin of admins) {
      const account = admin.user.isBot
        ? undefined
        : await saveAccount(services, work, chat.platform, admin.user);
      rows.push({
        platformUserId: admin.user.userId,
        accountId: account?.id ?? null,
        status: admin.status,
        isAnonymous: admin.isAnonymous,
      });
    }
    await createAdminsRepository(work.tx).replace(chat.id, rows, work.now);
    await createChatsRepository(work.tx, services.deps.defaultLanguage).setAdminsRefreshed(chat.id, work.now);
  });
  services.rememberAdmins(chat.id, userIds);
  services.moderatorRules.delete(chat.id);
  return userIds;
}

async function adminIds(
  services: Services,
  chat: ChatRecord,
): Promise<{ ids: Set<string>; loadedAt: number }> {
  const cached = services.cachedAdmins(chat.id);
  if (cached) return { ids: cached.userIds, loadedAt: cached.loadedAt };
  const storedFresh =
    chat.adminsRefreshedAt &&
    services.clock.now().getTime() - chat.adminsRefreshedAt.getTime() < STORED_ADMINS_TTL_MS;
  if (storedFresh) {
    const rows = await createAdminsRepository(services.db).list(chat.id);
    const ids = new Set(rows.map((row) => row.platformUserId));
    const loadedAt = chat.adminsRefreshedAt?.getTime() ?? 0;
    services.rememberAdmins(chat.id, ids, loadedAt);
    return { ids, loadedAt };
  }
  // Never read before: without the list every answer would be a guess, so a passing failure is retried.
  const fresh = await refreshAdmins(services, chat, chat.adminsRefreshedAt === null);
  if (fresh) return { ids: fresh, loadedAt: Date.now() };
  const rows = await createAdminsRepository(services.db).list(chat.id);
  return { ids: new Set(rows.map((row) => row.platformUserId)), loadedAt: 0 };
}

/** Where the sender of a command stands: a moderator, or why not. */
export type Standing = 'moderator' | 'member' | 'anonymous_admin' | 'admin_not_staff';

/**
 * Who moderates (regulation 4.13.2): administrators, and in a school chat with teachers linked to the
 * roster only those linked to an employee (see staff.ts). An anonymous administrator never moderates:
 * 4.13.7 needs to know who acted. A person not on the cached list of administrators is checked against
 * the platform once more before being refused, so a newly appointed teacher is not turned away.
 */
export async function standingOf(services: Services, chat: ChatRecord, sender: Sender): Promise<Standing> {
  if (sender.kind === 'anonymous_admin') return 'anonymous_admin';
  if (sender.kind !== 'user') return 'member';
  const userId = sender.user.userId;
  const { ids, loadedAt } = await adminIds(services, chat);
  let admin = ids.has(userId);
  if (!admin && Date.now() - loadedAt >= RECHECK_AFTER_MS) {
    admin = (await refreshAdmins(services, chat, true))?.has(userId) ?? false;
  }
  if (!admin) return 'member';
  return moderatesUnder(await moderatorRule(services, chat), userId) ? 'moderator' : 'admin_not_staff';
}

export async function isModerator(services: Services, chat: ChatRecord, sender: Sender): Promise<boolean> {
  return (await standingOf(services, chat, sender)) === 'moderator';
}

/** Someone was promoted or demoted: keep the moderators list current without asking the platform. */
export async function onMemberStatus(
  services: Services,
  work: Work,
  chat: ChatRecord,
  event: MemberStatusChanged,
) {
  const wasAdmin = ADMIN_STATUSES.has(event.previous);
  const isAdmin = ADMIN_STATUSES.has(event.status);
  if (wasAdmin === isAdmin) return;
  const admins = createAdminsRepository(work.tx);
  if (isAdmin) {
    const account = event.member.isBot
      ? undefined
      : await saveAccount(services, work, chat.platform, event.member);
    await admins.add(
      chat.id,
      {
        platformUserId: event.member.userId,
        accountId: account?.id ?? null,
        status: event.status === 'creator' ? 'creator' : 'administrator',
        isAnonymous: false,
      },
      work.now,
    );
  } else {
    await admins.remove(chat.id, event.member.userId);
  }
  work.afterCommit(() => {
    services.moderatorRules.delete(chat.id);
    const cached = services.cachedAdmins(chat.id);
    if (!cached) return;
    if (isAdmin) cached.userIds.add(event.member.userId);
    else cached.userIds.delete(event.member.userId);
  });
}
