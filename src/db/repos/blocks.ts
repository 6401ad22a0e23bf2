import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { BlockStatus } from '../../moderation/strikes.js';
import { readOnlyChanged } from '../changes.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import { accounts, blocks, chats } from '../schema.js';

export type BlockRow = typeof blocks.$inferSelect;

const LIVE: BlockStatus[] = ['active', 'lifting'];

/** Blocks (regulation 4.13.5): who is read-only or removed in which chat, until when. */
export function createBlocksRepository(ex: Executor) {
  return {
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

    async insertBlock(values: typeof blocks.$inferInsert): Promise<BlockRow> {
      const [row] = await ex.insert(blocks).values(values).returning();
      if (!row) throw new Error('block insert returned nothing');
      readOnlyChanged(ex);
      return row;
    },

    async setBlockStatus(
      blockId: number,
      status: BlockStatus,
      extra: Partial<typeof blocks.$inferInsert> = {},
    ) {
      await ex
        .update(blocks)
        .set({ status, ...extra })
        .where(eq(blocks.id, blockId));
      readOnlyChanged(ex);
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
      readOnlyChanged(ex);
      return ex.select().from(blocks).where(inArray(blocks.id, ids));
    },

    /** Running blocks of a chat with the blocked members' names, for /strikes. */
    async liveBlocksOfChat(chatId: number) {
      return ex
        .select({ block: blocks, account: accounts })
        .from(blocks)
        .innerJoin(accounts, eq(accounts.id, blocks.accountId))
        .where(and(eq(blocks.chatId, chatId), inArray(blocks.status, LIVE)));
    },

    /** A person's running blocks in every chat, with the chats' titles. */
    async liveBlocksOfAccount(accountId: number) {
      return ex
        .select({ block: blocks, title: chats.title })
        .from(blocks)
        .innerJoin(chats, eq(chats.id, blocks.chatId))
        .where(and(eq(blocks.accountId, accountId), inArray(blocks.status, LIVE)));
    },

    /** How many members are blocked now, across all chats (for /metrics). */
    async countLive(): Promise<number> {
      const [row] = await ex.select({ n: count() }).from(blocks).where(inArray(blocks.status, LIVE));
      return Number(row?.n ?? 0);
    },
  };
}

export type BlocksRepository = ReturnType<typeof createBlocksRepository>;
