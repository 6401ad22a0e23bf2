import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BotRights, ChatInfo, Platform } from '../../messenger/port.js';
import { type ChatSettings, readSettings } from '../../moderation/settings.js';
import { type Executor, rowsOf } from '../client.js';
import { chats, processedUpdates, rules, schools } from '../schema.js';

export interface ChatRecord {
  id: number;
  /** The school that confirmed the chat as its own; none until then. */
  schoolId: number | null;
  platform: Platform;
  platformChatId: string;
  type: string;
  title: string;
  /** Only what moderators changed; `settings` is these over the defaults. */
  overrides: Record<string, unknown>;
  settings: ChatSettings;
  botStatus: string;
  botRights: BotRights;
  adminsRefreshedAt: Date | null;
  /**
   * The version of the chat's rules, when the record was read in the current transaction (with the
   * chat's lock): a cached copy of the rules of that version is current. Never set on a cached record.
   */
  rulesVersion?: number;
}

type ChatRow = typeof chats.$inferSelect;

/** The bot's standing in a chat it has seen a message from but no update about itself yet. */
export const UNKNOWN_STANDING = 'unknown';

const NO_RIGHTS: BotRights = { canRestrictMembers: false, canDeleteMessages: false, canInviteUsers: false };

export function toChatRecord(row: ChatRow, defaultLanguage: ChatSettings['language']): ChatRecord {
  const overrides = (row.settings ?? {}) as Record<string, unknown>;
  return {
    id: row.id,
    schoolId: row.schoolId,
    platform: row.platform as Platform,
    platformChatId: row.platformChatId,
    type: row.type,
    title: row.title,
    overrides,
    settings: readSettings(overrides, defaultLanguage),
    botStatus: row.botStatus,
    botRights: { ...NO_RIGHTS, ...((row.botRights ?? {}) as Partial<BotRights>) },
    adminsRefreshedAt: row.adminsRefreshedAt,
  };
}

/** A chat row as raw SQL returns it (the drivers differ in how they return timestamps). */
interface RawChatRow {
  id: number | null;
  school_id: number | null;
  platform: string;
  platform_chat_id: string;
  type: string;
  title: string;
  settings: unknown;
  bot_status: string;
  bot_rights: unknown;
  admins_refreshed_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

function fromRaw(row: RawChatRow): ChatRow {
  const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
  return {
    id: Number(row.id),
    schoolId: row.school_id === null ? null : Number(row.school_id),
    platform: row.platform,
    platformChatId: row.platform_chat_id,
    type: row.type,
    title: row.title,
    settings: row.settings,
    botStatus: row.bot_status,
    botRights: row.bot_rights,
    adminsRefreshedAt: row.admins_refreshed_at === null ? null : date(row.admins_refreshed_at),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function createChatsRepository(ex: Executor, defaultLanguage: ChatSettings['language']) {
  return {
    async find(platform: Platform, platformChatId: string): Promise<ChatRecord | undefined> {
      const [row] = await ex
        .select()
        .from(chats)
        .where(and(eq(chats.platform, platform), eq(chats.platformChatId, platformChatId)));
      return row ? toChatRecord(row, defaultLanguage) : undefined;
    },

    async byId(id: number): Promise<ChatRecord | undefined> {
      const [row] = await ex.select().from(chats).where(eq(chats.id, id));
      return row ? toChatRecord(row, defaultLanguage) : undefined;
    },

    /**
     * Registers a chat the first time the bot sees it (and gives it the default rules as version 1), or
     * refreshes its title and type. Returns the record and whether it is new.
     */
    async upsert(
      info: ChatInfo,
      bot: { status: string; rights?: BotRights } | undefined,
      now: Date,
    ): Promise<{ chat: ChatRecord; created: boolean }> {
      const inserted = await ex
        .insert(chats)
        .values({
          platform: info.platform,
          platformChatId: info.platformChatId,
          type: info.type,
          title: info.title,
          // Seen first through a message: the bot is there, its standing comes with its own update.
          botStatus: bot?.status ?? UNKNOWN_STANDING,
          botRights: bot?.rights ?? NO_RIGHTS,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      const created = inserted[0];
      if (created) {
        await ex.insert(rules).values({ chatId: created.id, version: 1, text: null, createdAt: now });
        return { chat: toChatRecord(created, defaultLanguage), created: true };
      }
      const [updated] = await ex
        .update(chats)
        .set({
          type: info.type,
          title: info.title,
          updatedAt: now,
          ...(bot ? { botStatus: bot.status, botRights: bot.rights ?? NO_RIGHTS } : {}),
        })
        .where(and(eq(chats.platform, info.platform), eq(chats.platformChatId, info.platformChatId)))
        .returning();
      if (!updated)
        throw new Error(`chat ${info.platform}:${info.platformChatId} vanished during registration`);
      return { chat: toChatRecord(updated, defaultLanguage), created: false };
    },

    async setOverrides(chatId: number, overrides: Record<string, unknown>, now: Date): Promise<void> {
      await ex.update(chats).set({ settings: overrides, updatedAt: now }).where(eq(chats.id, chatId));
    },

    async setAdminsRefreshed(chatId: number, at: Date | null): Promise<void> {
      await ex.update(chats).set({ adminsRefreshedAt: at }).where(eq(chats.id, chatId));
    },

    /** Moves a chat to its new id (Telegram's group → supergroup migration); its history stays. */
    async migrate(
      platform: Platform,
      fromChatId: string,
      toChatId: string,
      now: Date,
    ): Promise<ChatRecord | undefined> {
      const [existing] = await ex
        .select({ id: chats.id })
        .from(chats)
        .where(and(eq(chats.platform, platform), eq(chats.platformChatId, toChatId)));
      const [old] = await ex
        .select({ id: chats.id })
        .from(chats)
        .where(and(eq(chats.platform, platform), eq(chats.platformChatId, fromChatId)));
      if (!old) return existing ? this.byId(existing.id) : undefined;
      if (existing) {
        // The new supergroup was registered before the migration notice arrived. The old chat's record,
        // with its rules and history, wins; the newer one is set aside (the audit log may refer to it).
        await ex
          .update(chats)
          .set({
            platformChatId: `${toChatId}/superseded/${existing.id}`,
            botStatus: 'migrated',
            updatedAt: now,
          })
          .where(eq(chats.id, existing.id));
      }
      const [row] = await ex
        .update(chats)
        .set({ platformChatId: toChatId, type: 'supergroup', updatedAt: now })
        .where(eq(chats.id, old.id))
        .returning();
      return row ? toChatRecord(row, defaultLanguage) : undefined;
    },

    async byIds(ids: number[]): Promise<ChatRecord[]> {
      if (ids.length === 0) return [];
      const rows = await ex.select().from(chats).where(inArray(chats.id, ids));
      return rows.map((row) => toChatRecord(row, defaultLanguage));
    },

    /** The school's chats, in the order they were registered. */
    async ofSchool(schoolId: number): Promise<ChatRecord[]> {
      const rows = await ex.select().from(chats).where(eq(chats.schoolId, schoolId)).orderBy(chats.id);
      return rows.map((row) => toChatRecord(row, defaultLanguage));
    },

    async setSchool(chatId: number, schoolId: number | null, now: Date): Promise<void> {
      await ex.update(chats).set({ schoolId, updatedAt: now }).where(eq(chats.id, chatId));
    },

    /** Records the bot's own standing and rights in a chat. */
    async setBot(chatId: number, status: string, rights: BotRights, now: Date): Promise<ChatRecord> {
      const [row] = await ex
        .update(chats)
        .set({ botStatus: status, botRights: rights, updatedAt: now })
        .where(eq(chats.id, chatId))
        .returning();
      if (!row) throw new Error(`chat ${chatId} vanished while its bot status was recorded`);
      return toChatRecord(row, defaultLanguage);
    },

    /**
     * The first statement of a group command, three in one round trip: records the update's key (false
     * when it was recorded before: a redelivery), takes the chat's lock (serialising moderation changes
     * to the chat across transactions and replicas) and reads the chat as committed, with the version of
     * its rules. No chat when the bot has not registered it yet.
     */
    async firstDeliveryLocking(
      updateKey: string,
      platform: Platform,
      platformChatId: string,
      now: Date,
    ): Promise<{ fresh: boolean; chat: ChatRecord | undefined }> {
      const result = await ex.execute(sql`
        with fresh as (
          insert into ${processedUpdates} (platform, update_key, created_at)
          values (${platform}, ${updateKey}, ${now.toISOString()}::timestamptz)
          on conflict do nothing returning 1
        )
        select f.n as fresh, c.*, (select max(r.version) from ${rules} r where r.chat_id = c.id) as rules_version
        from (select count(*)::int as n from fresh) f
        left join lateral (
          select * from ${chats} where platform = ${platform} and platform_chat_id = ${platformChatId}
          for update
        ) c on true`);
      const [row] = rowsOf<RawChatRow & { fresh: number; rules_version: number | null }>(result);
      if (!row) throw new Error('the update and chat statement returned no row');
      const fresh = Number(row.fresh) > 0;
      if (row.id === null) return { fresh, chat: undefined };
      const chat = toChatRecord(fromRaw(row), defaultLanguage);
      return { fresh, chat: { ...chat, rulesVersion: Number(row.rules_version ?? 0) } };
    },

    /** Serialises moderation changes to one chat across transactions and replicas. */
    async lock(chatId: number): Promise<void> {
      await ex.execute(sql`select id from ${chats} where id = ${chatId} for update`);
    },
  };
}

export type ChatsRepository = ReturnType<typeof createChatsRepository>;

/** The school chats belong to until the roster says otherwise; created on first start. */
export async function ensureDefaultSchool(ex: Executor, name: string): Promise<number> {
  const [first] = await ex.select({ id: schools.id }).from(schools).orderBy(schools.id).limit(1);
  if (first) return first.id;
  const [created] = await ex.insert(schools).values({ name }).returning({ id: schools.id });
  if (!created) throw new Error('could not create the default school');
  return created.id;
}
