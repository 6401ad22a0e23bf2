import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Platform, UserInfo } from '../../messenger/port.js';
import type { Executor } from '../client.js';
import { accounts, chatAdmins, chatMembers } from '../schema.js';

export interface AccountRecord {
  id: number;
  platform: Platform;
  platformUserId: string;
  firstName: string;
  lastName: string | null;
  username: string | null;
  languageCode: string | null;
  isBot: boolean;
  privateChatOpen: boolean;
}

type AccountRow = typeof accounts.$inferSelect;

export function toAccountRecord(row: AccountRow): AccountRecord {
  return {
    id: row.id,
    platform: row.platform as Platform,
    platformUserId: row.platformUserId,
    firstName: row.firstName,
    lastName: row.lastName,
    username: row.username,
    languageCode: row.languageCode,
    isBot: row.isBot,
    privateChatOpen: row.privateChatOpen,
  };
}

/** What we keep of a person's profile; a change of any part of it is written back. */
export function profileFingerprint(user: UserInfo): number {
  // A 32-bit FNV-1a hash of the profile: a small integer keeps the cache of 200,000 accounts compact.
  // Two profiles of one person that collide would delay recording the change until the next one.
  let hash = 0x811c9dc5;
  for (const part of [user.firstName, user.lastName ?? '', user.username ?? '', user.languageCode ?? '']) {
    for (let i = 0; i < part.length; i += 1) hash = Math.imul(hash ^ part.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0, 0x01000193);
  }
  return hash | 0;
}

export function createAccountsRepository(ex: Executor) {
  return {
    /**
     * Creates or refreshes the account of a person the bot has seen. An unchanged account is only read:
     * writing it would lock its row and make concurrent transactions wait on each other.
     */
    async upsert(
      platform: Platform,
      user: UserInfo,
      now: Date,
      extra: { privateChatOpen?: boolean } = {},
      /** The account as just read in this transaction (null: there is none), to save reading it again. */
      known?: AccountRecord | null,
    ) {
      const existing = known === undefined ? await this.find(platform, user.userId) : (known ?? undefined);
      const unchanged =
        existing &&
        existing.firstName === user.firstName &&
        existing.lastName === (user.lastName ?? null) &&
        existing.username === (user.username ?? null) &&
        existing.languageCode === (user.languageCode ?? null) &&
        existing.isBot === user.isBot &&
        (!extra.privateChatOpen || existing.privateChatOpen);
      if (existing && unchanged) return existing;
      const values = {
        platform,
        platformUserId: user.userId,
        firstName: user.firstName,
        lastName: user.lastName ?? null,
        username: user.username ?? null,
        languageCode: user.languageCode ?? null,
        isBot: user.isBot,
        updatedAt: now,
        ...(extra.privateChatOpen ? { privateChatOpen: true } : {}),
      };
      const [row] = await ex
        .insert(accounts)
        .values({ ...values, createdAt: now })
        .onConflictDoUpdate({ target: [accounts.platform, accounts.platformUserId], set: values })
        .returning();
      if (!row) throw new Error('account upsert returned nothing');
      return toAccountRecord(row);
    },

    async byId(id: number): Promise<AccountRecord | undefined> {
      const [row] = await ex.select().from(accounts).where(eq(accounts.id, id));
      return row ? toAccountRecord(row) : undefined;
    },

    /** An account by its platform id or, with a leading `@`, by its username. */
    async findByIdOrUsername(platform: Platform, ref: string): Promise<AccountRecord | undefined> {
      const [row] = await ex
        .select()
        .from(accounts)
        .where(
          and(
            eq(accounts.platform, platform),
            ref.startsWith('@') ? eq(accounts.username, ref.slice(1)) : eq(accounts.platformUserId, ref),
          ),
        );
      return row ? toAccountRecord(row) : undefined;
    },

    async byIds(ids: number[]): Promise<AccountRecord[]> {
      if (ids.length === 0) return [];
      return (await ex.select().from(accounts).where(inArray(accounts.id, ids))).map(toAccountRecord);
    },

    /** The account and its standing in a chat, in one statement (both absent for someone never seen). */
    async findInChat(
      platform: Platform,
      platformUserId: string,
      chatId: number,
    ): Promise<{ account: AccountRecord | null; status: string | undefined; leftAt: Date | null }> {
      const [row] = await ex
        .select({ account: accounts, status: chatMembers.status, leftAt: chatMembers.leftAt })
        .from(accounts)
        .leftJoin(chatMembers, and(eq(chatMembers.accountId, accounts.id), eq(chatMembers.chatId, chatId)))
        .where(and(eq(accounts.platform, platform), eq(accounts.platformUserId, platformUserId)));
      return {
        account: row ? toAccountRecord(row.account) : null,
        status: row?.status ?? undefined,
        leftAt: row?.leftAt ?? null,
      };
    },

    async find(platform: Platform, platformUserId: string): Promise<AccountRecord | undefined> {
      const [row] = await ex
        .select()
        .from(accounts)
        .where(and(eq(accounts.platform, platform), eq(accounts.platformUserId, platformUserId)));
      return row ? toAccountRecord(row) : undefined;
    },
  };
}

export type PresentStatus = 'member' | 'restricted';

export function createMembersRepository(ex: Executor) {
  return {
    /** Records that the account is in the chat. `joinedAt` is set when they (re)joined. */
    async markPresent(
      chatId: number,
      accountId: number,
      status: PresentStatus,
      joinedAt: Date | null,
      now: Date,
    ) {
      await ex
        .insert(chatMembers)
        .values({ chatId, accountId, status, joinedAt, leftAt: null, firstSeenAt: now })
        .onConflictDoUpdate({
          target: [chatMembers.chatId, chatMembers.accountId],
          set: {
            status,
            leftAt: null,
            ...(joinedAt ? { joinedAt } : {}),
          },
        });
    },

    async markGone(chatId: number, accountId: number, status: 'left' | 'kicked', at: Date) {
      await ex
        .insert(chatMembers)
        .values({ chatId, accountId, status, leftAt: at, firstSeenAt: at })
        .onConflictDoUpdate({
          target: [chatMembers.chatId, chatMembers.accountId],
          set: { status, leftAt: at },
        });
    },

    async status(chatId: number, accountId: number): Promise<string | undefined> {
      const [row] = await ex
        .select({ status: chatMembers.status })
        .from(chatMembers)
        .where(and(eq(chatMembers.chatId, chatId), eq(chatMembers.accountId, accountId)));
      return row?.status;
    },

    /** Whether the bot never saw this account join the chat (it was there before the bot came). */
    async neverSawJoin(chatId: number, accountId: number): Promise<boolean> {
      const [row] = await ex
        .select({ joinedAt: chatMembers.joinedAt })
        .from(chatMembers)
        .where(and(eq(chatMembers.chatId, chatId), eq(chatMembers.accountId, accountId)));
      return !row?.joinedAt;
    },

    async countPresent(chatId: number): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(chatMembers)
        .where(and(eq(chatMembers.chatId, chatId), sql`${chatMembers.status} in ('member', 'restricted')`));
      return Number(row?.n ?? 0);
    },
  };
}

export interface AdminRow {
  platformUserId: string;
  accountId: number | null;
  status: 'creator' | 'administrator';
  isAnonymous: boolean;
}

export function createAdminsRepository(ex: Executor) {
  return {
    async list(chatId: number): Promise<AdminRow[]> {
      return ex
        .select({
          platformUserId: chatAdmins.platformUserId,
          accountId: chatAdmins.accountId,
          status: chatAdmins.status,
          isAnonymous: chatAdmins.isAnonymous,
        })
        .from(chatAdmins)
        .where(eq(chatAdmins.chatId, chatId));
    },

    /** Replaces the chat's administrators with what the platform just said. */
    async replace(chatId: number, admins: AdminRow[], now: Date): Promise<void> {
      await ex.delete(chatAdmins).where(eq(chatAdmins.chatId, chatId));
      if (admins.length > 0) {
        await ex.insert(chatAdmins).values(admins.map((admin) => ({ chatId, ...admin, refreshedAt: now })));
      }
    },

    async add(chatId: number, admin: AdminRow, now: Date): Promise<void> {
      await ex
        .insert(chatAdmins)
        .values({ chatId, ...admin, refreshedAt: now })
        .onConflictDoUpdate({
          target: [chatAdmins.chatId, chatAdmins.platformUserId],
          set: {
            status: admin.status,
            isAnonymous: admin.isAnonymous,
            accountId: admin.accountId,
            refreshedAt: now,
          },
        });
    },

    /** The chat's administrators who have a private chat with the bot (who can be told things privately). */
    async reachableModerators(chatId: number): Promise<AccountRecord[]> {
      const rows = await ex
        .select({ account: accounts })
        .from(chatAdmins)
        .innerJoin(accounts, eq(accounts.id, chatAdmins.accountId))
        .where(
          and(eq(chatAdmins.chatId, chatId), eq(accounts.privateChatOpen, true), eq(accounts.isBot, false)),
        );
      return rows.map((row) => toAccountRecord(row.account));
    },

    /** Which of these accounts administer which of these chats, as `chatId:accountId` keys. */
    async adminPairs(chatIds: number[]): Promise<Set<string>> {
      if (chatIds.length === 0) return new Set();
      const rows = await ex
        .select({ chatId: chatAdmins.chatId, accountId: chatAdmins.accountId })
        .from(chatAdmins)
        .where(inArray(chatAdmins.chatId, chatIds));
      return new Set(rows.map((row) => `${row.chatId}:${row.accountId}`));
    },

    async remove(chatId: number, platformUserId: string): Promise<void> {
      await ex
        .delete(chatAdmins)
        .where(and(eq(chatAdmins.chatId, chatId), eq(chatAdmins.platformUserId, platformUserId)));
    },
  };
}
