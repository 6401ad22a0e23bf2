import { and, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { StrikeFacts } from '../../moderation/strikes.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import { accounts, blocks, strikes } from '../schema.js';
import { type AuditEntry, auditEntryInsert } from './audit.js';

export type StrikeRow = typeof strikes.$inferSelect;

export interface StrikeWithFacts extends StrikeRow {
  facts: StrikeFacts;
}

/** Blocks that have ended by their term or a vote consume the strikes that led to them. */
const ENDED = 'lifted';

/** The facts the strike policy judges a strike by, from a strike row and its block's status. */
export function strikeFacts(
  strike: Pick<StrikeRow, 'createdAt' | 'revokedAt' | 'blockId'>,
  blockStatus: string | null,
): StrikeFacts {
  return {
    createdAt: strike.createdAt,
    revokedAt: strike.revokedAt,
    block: strike.blockId === null ? null : { ended: blockStatus === ENDED },
  };
}

/** Strikes a moderator issued (regulation 4.13.5, 4.13.7). */
export function createStrikesRepository(ex: Executor) {
  /** A member's strikes in a chat (the condition names them), newest first, with their facts. */
  async function strikesWhere(condition: SQL | undefined): Promise<StrikeWithFacts[]> {
    const rows = await ex
      .select({ strike: strikes, blockStatus: blocks.status })
      .from(strikes)
      .innerJoin(accounts, eq(accounts.id, strikes.accountId))
      .leftJoin(blocks, eq(blocks.id, strikes.blockId))
      .where(condition)
      .orderBy(desc(strikes.createdAt), desc(strikes.id));
    return rows.map(({ strike, blockStatus }) => ({ ...strike, facts: strikeFacts(strike, blockStatus) }));
  }

  return {
    /** Every strike of a member in a chat, newest first, with what the policy needs to judge it. */
    strikesOf(chatId: number, accountId: number): Promise<StrikeWithFacts[]> {
      return strikesWhere(and(eq(strikes.chatId, chatId), eq(strikes.accountId, accountId)));
    },

    /**
     * The same by the member's platform id (none when they have no account): it needs no earlier read,
     * so it can go to the database together with the statement that reads the account.
     */
    strikesOfUser(chatId: number, platform: string, platformUserId: string): Promise<StrikeWithFacts[]> {
      return strikesWhere(
        and(
          eq(strikes.chatId, chatId),
          eq(accounts.platform, platform),
          eq(accounts.platformUserId, platformUserId),
        ),
      );
    },

    async insertStrike(values: typeof strikes.$inferInsert): Promise<StrikeRow> {
      const [row] = await ex.insert(strikes).values(values).returning();
      if (!row) throw new Error('strike insert returned nothing');
      return row;
    },

    /**
     * Records a strike and its audit entry in one statement; the entry's details get the strike's id
     * (`strikeId`).
     */
    async insertStrikeAudited(
      values: typeof strikes.$inferInsert & { createdAt: Date },
      audit: AuditEntry,
    ): Promise<StrikeRow> {
      const insert = ex.insert(strikes).values(values).returning({ id: strikes.id });
      const result = await ex.execute(sql`
        with inserted as (${insert.getSQL()}), audited as (${auditEntryInsert(audit, { cte: 'inserted', key: 'strikeId' })})
        select id from inserted`);
      const [row] = rowsOf<{ id: number }>(result);
      if (!row) throw new Error('strike insert returned nothing');
      return {
        id: Number(row.id),
        chatId: values.chatId,
        accountId: values.accountId,
        moderatorAccountId: values.moderatorAccountId ?? null,
        moderatorName: values.moderatorName ?? '',
        ruleNumber: values.ruleNumber,
        ruleText: values.ruleText,
        rulesVersion: values.rulesVersion,
        reason: values.reason ?? null,
        messageId: values.messageId ?? null,
        messageExcerpt: values.messageExcerpt ?? null,
        createdAt: values.createdAt,
        revokedAt: null,
        revokedByAccountId: null,
        blockId: null,
      };
    },

    async revokeStrike(strikeId: number, byAccountId: number | null, at: Date): Promise<void> {
      await ex
        .update(strikes)
        .set({ revokedAt: at, revokedByAccountId: byAccountId })
        .where(and(eq(strikes.id, strikeId), isNull(strikes.revokedAt)));
    },

    /** The strikes now count towards a block: they are its strikes. */
    async attachToBlock(strikeIds: number[], blockId: number): Promise<void> {
      if (strikeIds.length > 0)
        await ex.update(strikes).set({ blockId }).where(inArray(strikes.id, strikeIds));
    },

    /** The block never took effect or was a mistake: its strikes count again. */
    async releaseStrikes(blockId: number): Promise<void> {
      await ex.update(strikes).set({ blockId: null }).where(eq(strikes.blockId, blockId));
    },

    /** The rule numbers behind a block (its strikes that were not revoked), in order. */
    async rulesOfBlock(blockId: number): Promise<number[]> {
      const rows = await ex
        .select({ rule: strikes.ruleNumber })
        .from(strikes)
        .where(and(eq(strikes.blockId, blockId), isNull(strikes.revokedAt)));
      return [...new Set(rows.map((row) => row.rule))].sort((a, b) => a - b);
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

    /** Every strike of a chat as the policy's facts, for counting the active ones. */
    async factsOfChat(chatId: number): Promise<StrikeFacts[]> {
      const rows = await ex
        .select({
          createdAt: strikes.createdAt,
          revokedAt: strikes.revokedAt,
          blockId: strikes.blockId,
          blockStatus: blocks.status,
        })
        .from(strikes)
        .leftJoin(blocks, eq(blocks.id, strikes.blockId))
        .where(eq(strikes.chatId, chatId));
      return rows.map((row) => strikeFacts(row, row.blockStatus));
    },
  };
}

export type StrikesRepository = ReturnType<typeof createStrikesRepository>;
