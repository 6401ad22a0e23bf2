import {
  type AccountRecord,
  createAccountsRepository,
  createMembersRepository,
  profileFingerprint,
} from '../../db/repos/accounts.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import type { MemberLeft, MembersJoined, Platform, UserInfo } from '../../messenger/port.js';
import { memberKey, type Services, type Work } from '../../runtime/services.js';

function accountKey(platform: Platform, userId: string): string {
  return `${platform}:${userId}`;
}

/** True when nothing about this person in this chat is news: the fast path for ordinary messages. */
export function isKnownMember(services: Services, chat: ChatRecord, user: UserInfo): boolean {
  const account = services.accounts.get(accountKey(chat.platform, user.userId));
  if (!account || account.fingerprint !== profileFingerprint(user)) return false;
  return services.presentMembers.get(memberKey(chat.id, account.id)) === true;
}

/** Creates or refreshes the person's account. */
export async function saveAccount(
  services: Services,
  work: Work,
  platform: Platform,
  user: UserInfo,
  extra: { privateChatOpen?: boolean } = {},
  /** The account as this transaction just read it (null: none), when the caller has it. */
  known?: AccountRecord | null,
): Promise<AccountRecord> {
  const account = await createAccountsRepository(work.tx).upsert(platform, user, work.now, extra, known);
  work.afterCommit(() =>
    services.accounts.set(accountKey(platform, user.userId), {
      id: account.id,
      fingerprint: profileFingerprint(user),
    }),
  );
  return account;
}

export type MemberRead = Awaited<ReturnType<typeof readMember>>;

/** A person's account and their standing in a chat, one statement (for `memberSeen`). */
export function readMember(work: Work, chatId: number, platform: Platform, platformUserId: string) {
  return createAccountsRepository(work.tx).findInChat(platform, platformUserId, chatId);
}

/**
 * Records that a person who posted is in the chat (Telegram has no member list; senders and join
 * updates are how the bot learns who is there). A message posted before the person was recorded gone
 * (`postedAt` not after `leftAt`) proves nothing: it is one the platform delivered late or again, e.g. a
 * parent's message redelivered after the roster removed her, and she stays out.
 */
export async function memberSeen(
  services: Services,
  work: Work,
  chat: ChatRecord,
  user: UserInfo,
  postedAt: Date,
  /** The account and its standing as this transaction read them already (`readMember`), if it did. */
  read?: MemberRead,
): Promise<AccountRecord> {
  // The account and its standing in one statement; nothing is written for someone known and present.
  const known = read ?? (await readMember(work, chat.id, chat.platform, user.userId));
  const account = await saveAccount(services, work, chat.platform, user, {}, known.account);
  const { status, leftAt } = known;
  if (status !== 'member' && status !== 'restricted') {
    if (leftAt && postedAt.getTime() <= leftAt.getTime()) return account;
    await createMembersRepository(work.tx).markPresent(chat.id, account.id, 'member', null, work.now);
  }
  work.afterCommit(() => services.presentMembers.set(memberKey(chat.id, account.id), true));
  return account;
}

/**
 * New members: recorded as present. Returns the people (not bots) who were not in the chat before, so
 * that one arrival reported twice (a service message and a member update) is acted on once.
 */
export async function onMembersJoined(
  services: Services,
  work: Work,
  chat: ChatRecord,
  event: MembersJoined,
): Promise<AccountRecord[]> {
  const self = services.platform(chat.platform).self;
  const joined: AccountRecord[] = [];
  const members = createMembersRepository(work.tx);
  for (const user of event.members) {
    if (user.userId === self.userId) continue;
    const account = await saveAccount(services, work, chat.platform, user);
    const before = await members.status(chat.id, account.id);
    await members.markPresent(chat.id, account.id, 'member', event.at, work.now);
    work.afterCommit(() => services.presentMembers.set(memberKey(chat.id, account.id), true));
    const wasPresent = before === 'member' || before === 'restricted';
    if (!user.isBot && !wasPresent) joined.push(account);
  }
  return joined;
}

/** A member left or was removed; returns their account (not for the bot itself). */
export async function onMemberLeft(
  services: Services,
  work: Work,
  chat: ChatRecord,
  event: MemberLeft,
): Promise<AccountRecord | undefined> {
  if (event.member.userId === services.platform(chat.platform).self.userId) return undefined;
  const account = await saveAccount(services, work, chat.platform, event.member);
  await createMembersRepository(work.tx).markGone(chat.id, account.id, event.status, event.at);
  work.afterCommit(() => services.presentMembers.delete(memberKey(chat.id, account.id)));
  return account;
}
