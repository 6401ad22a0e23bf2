import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { BlockStatus, LiftReason } from '../../moderation/strikes.js';
import { readOnlyChanged } from '../changes.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import { accounts, blocks, chats, strikes } from '../schema.js';
import { toAccountRecord } from './accounts.js';
import { type AuditEntry, auditEntryInsert } from './audit.js';

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

    /**
     * Records a block, the strikes it consumes and its audit entry in one statement; the entry's details
     * get the block's id (`blockId`).
     */
    async insertBlockAudited(
      values: typeof blocks.$inferInsert & { createdAt: Date },
      strikeIds: number[],
      audit: AuditEntry,
    ): Promise<BlockRow> {
      const insert = ex.insert(blocks).values(values).returning({ id: blocks.id });
      const ids = strikeIds.length > 0 ? strikeIds : [0];
      const result = await ex.execute(sql`
        with inserted as (${insert.getSQL()}),
          consumed as (
            update ${strikes} set block_id = inserted.id from inserted
            where ${strikes}.id in (${sql.join(
              ids.map((id) => sql`${id}::int`),
              sql`, `,
            )})
          ),
          audited as (${auditEntryInsert(audit, { cte: 'inserted', key: 'blockId' })})
        select id from inserted`);
      const [row] = rowsOf<{ id: number }>(result);
      if (!row) throw new Error('block insert returned nothing');
      return {
        id: Number(row.id),
        chatId: values.chatId,
        accountId: values.accountId,
        mode: values.mode,
        startsAt: values.startsAt,
        endsAt: values.endsAt,
        status: values.status,
        appliedAt: values.appliedAt ?? null,
        liftReason: values.liftReason ?? null,
        liftedAt: values.liftedAt ?? null,
        liftFailures: values.liftFailures ?? 0,
        createdAt: values.createdAt,
      };
    },

    /** A person's account by their platform id, with their running block in this chat, in one statement. */
    async accountWithLiveBlock(chatId: number, platform: string, platformUserId: string) {
      const [row] = await ex
        .select({ account: accounts, block: blocks })
        .from(accounts)
        .leftJoin(
          blocks,
          and(eq(blocks.accountId, accounts.id), eq(blocks.chatId, chatId), inArray(blocks.status, LIVE)),
        )
        .where(and(eq(accounts.platform, platform), eq(accounts.platformUserId, platformUserId)));
      return row ? { account: toAccountRecord(row.account), block: row.block ?? undefined } : undefined;
    },

    /** A block with its chat's and its member's rows, in one statement. */
    async blockInContext(blockId: number) {
      const [found] = await this.blocksInContext([blockId]);
      return found;
    },

    /** Blocks with their chats and members, in one statement (a batch of outcomes). */
    async blocksInContext(blockIds: number[]) {
      if (blockIds.length === 0) return [];
      const rows = await ex
        .select({ block: blocks, chat: chats, account: accounts })
        .from(blocks)
        .innerJoin(chats, eq(chats.id, blocks.chatId))
        .innerJoin(accounts, eq(accounts.id, blocks.accountId))
        .where(inArray(blocks.id, blockIds));
      return rows.map((row) => ({ block: row.block, chat: row.chat, account: toAccountRecord(row.account) }));
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

    /** Records lifts the platform confirmed, each with its reason, in one statement. */
    async setLifted(lifts: Array<{ blockId: number; reason: LiftReason }>, at: Date): Promise<void> {
      if (lifts.length === 0) return;
      const values = lifts.map((lift) => sql`(${lift.blockId}::int, ${lift.reason}::text)`);
      await ex.execute(sql`
        update ${blocks} set status = 'lifted', lifted_at = ${timestamp(at)}, lift_reason = v.reason
        from (values ${sql.join(values, sql`, `)}) as v (id, reason)
        where ${blocks.id} = v.id`);
      readOnlyChanged(ex);
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
