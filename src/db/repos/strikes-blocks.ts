import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { StrikeFacts } from '../../moderation/strikes.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import { accounts, blocks, strikes } from '../schema.js';

export type StrikeRow = typeof strikes.$inferSelect;
export type BlockRow = typeof blocks.$inferSelect;

export interface StrikeWithFacts extends StrikeRow {
  facts: StrikeFacts;
}

const LIVE = ['active', 'lifting'];
/** Blocks that have ended by their term or a vote consume the strikes that led to them. */
const ENDED = 'lifted';

export function createModerationRepository(ex: Executor) {
  return {
    /** Every strike of a member in a chat, newest first, with what the policy needs to judge it. */
    async strikesOf(chatId: number, accountId: number): Promise<StrikeWithFacts[]> {
      const rows = await ex
        .select({ strike: strikes, blockStatus: blocks.status })
        .from(strikes)
        .leftJoin(blocks, eq(blocks.id, strikes.blockId))
        .where(and(eq(strikes.chatId, chatId), eq(strikes.accountId, accountId)))
        .orderBy(desc(strikes.createdAt), desc(strikes.id));
      return rows.map(({ strike, blockStatus }) => ({
        ...strike,
        facts: {
          createdAt: strike.createdAt,
          revokedAt: strike.revokedAt,
          block: strike.blockId === null ? null : { ended: blockStatus === ENDED },
        },
      }));
    },

    async insertStrike(values: typeof strikes.$inferInsert): Promise<StrikeRow> {
      const [row] = await ex.insert(strikes).values(values).returning();
      if (!row) throw new Error('strike insert returned nothing');
      return row;
    },

    async revokeStrike(strikeId: number, byAccountId: number | null, at: Date): Promise<void> {
      await ex
        .update(strikes)
        .set({ revokedAt: at, revokedByAccountId: byAccountId })
        .where(and(eq(strikes.id, strikeId), isNull(strikes.revokedAt)));
    },

    /** The member's running block in this chat (active or being lifted), if any. */
    async liveBlock(chatId: number, accountId: number): Promise<BlockRow | undefined> {
      const [row] = await ex
        .select()
        .from(blocks)
        .where(and(eq(blocks.chatId, chatId), eq(blocks.accountId, accountId), inArray(blocks.status, LIVE)));
      return row;
    },

    async block(blockId: number): Promise<BlockRow | undefined> {
      const [row] = await ex.select().from(blocks).where(eq(blocks.id, blockId));
      return row;
    },

    async insertBlock(values: typeof blocks.$inferInsert, strikeIds: number[]): Promise<BlockRow> {
      const [row] = await ex.insert(blocks).values(values).returning();
      if (!row) throw new Error('block insert returned nothing');
      if (strikeIds.length > 0)
        await ex.update(strikes).set({ blockId: row.id }).where(inArray(strikes.id, strikeIds));
      return row;
    },

    async setBlockStatus(blockId: number, status: string, extra: Partial<typeof blocks.$inferInsert> = {}) {
      await ex
        .update(blocks)
        .set({ status, ...extra })
        .where(eq(blocks.id, blockId));
    },

    /** The block never took effect or was a mistake: its strikes count again. */
    async releaseStrikes(blockId: number): Promise<void> {
      await ex.update(strikes).set({ blockId: null }).where(eq(strikes.blockId, blockId));
    },

    /**
     * Claims blocks whose term has ended for lifting, marking them `lifting` in the caller's transaction.
     * SKIP LOCKED lets several replicas run the job at once: each block goes to exactly one of them.
     */
    async claimDueBlocks(now: Date, limit: number): Promise<BlockRow[]> {
      const result = await ex.execute(sql`
        update ${blocks} set status = 'lifting', lift_reason = 'term'
        where id in (
          select id from ${blocks}
          where status = 'active' and ends_at <= ${timestamp(now)}
          order by ends_at
          limit ${limit}
          for update skip locked
        )
        returning id`);
      const ids = rowsOf<{ id: number }>(result).map((row) => Number(row.id));
      if (ids.length === 0) return [];
      return ex.select().from(blocks).where(inArray(blocks.id, ids));
    },

    /** Running blocks of a chat with the blocked members' names, for /strikes and /stats. */
    async liveBlocksOfChat(chatId: number) {
      return ex
        .select({ block: blocks, account: accounts })
        .from(blocks)
        .innerJoin(accounts, eq(accounts.id, blocks.accountId))
        .where(and(eq(blocks.chatId, chatId), inArray(blocks.status, LIVE)));
    },

    /** Members of a chat with strikes not revoked, younger than `since`, for the moderator's overview. */
    async strikeHoldersOfChat(chatId: number, since: Date) {
      return ex
        .select({ strike: strikes, account: accounts, blockStatus: blocks.status })
        .from(strikes)
        .innerJoin(accounts, eq(accounts.id, strikes.accountId))
        .leftJoin(blocks, eq(blocks.id, strikes.blockId))
        .where(
          and(
            eq(strikes.chatId, chatId),
            isNull(strikes.revokedAt),
            sql`${strikes.createdAt} > ${timestamp(since)}`,
          ),
        );
    },
  };
}

export type ModerationRepository = ReturnType<typeof createModerationRepository>;
