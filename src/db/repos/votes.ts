import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Choice } from '../../moderation/reinstatement.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import {
  accounts,
  apologies,
  ballots,
  blocks,
  chatMembers,
  chats,
  gateEntries,
  votes,
  voteVoters,
} from '../schema.js';

export type ApologyRow = typeof apologies.$inferSelect;
export type VoteRow = typeof votes.$inferSelect;

export function createVotesRepository(ex: Executor) {
  return {
    async insertApology(values: typeof apologies.$inferInsert): Promise<ApologyRow> {
      const [row] = await ex.insert(apologies).values(values).returning();
      if (!row) throw new Error('apology insert returned nothing');
      return row;
    },

    async apology(id: number): Promise<ApologyRow | undefined> {
      const [row] = await ex.select().from(apologies).where(eq(apologies.id, id));
      return row;
    },

    async updateApology(id: number, values: Partial<typeof apologies.$inferInsert>): Promise<void> {
      await ex.update(apologies).set(values).where(eq(apologies.id, id));
    },

    async latestApology(blockId: number): Promise<ApologyRow | undefined> {
      const [row] = await ex
        .select()
        .from(apologies)
        .where(eq(apologies.blockId, blockId))
        .orderBy(desc(apologies.createdAt), desc(apologies.id))
        .limit(1);
      return row;
    },

    /** The apology the chat was told about in this message (replying /unblock to it opens the vote). */
    async apologyAnnouncedIn(chatId: number, messageId: string): Promise<ApologyRow | undefined> {
      const [row] = await ex
        .select({ apology: apologies })
        .from(apologies)
        .innerJoin(blocks, eq(blocks.id, apologies.blockId))
        .where(and(eq(blocks.chatId, chatId), eq(apologies.announcementMessageId, messageId)));
      return row?.apology;
    },

    /** A member's running blocks in every chat, with the chats, for /apologize. */
    async liveBlocksOf(accountId: number) {
      return ex
        .select({ block: blocks, chat: chats })
        .from(blocks)
        .innerJoin(chats, eq(chats.id, blocks.chatId))
        .where(and(eq(blocks.accountId, accountId), eq(blocks.status, 'active')));
    },

    /** The open votes on any of these blocks. */
    async openVotesOn(blockIds: number[]): Promise<VoteRow[]> {
      if (blockIds.length === 0) return [];
      return ex
        .select()
        .from(votes)
        .where(and(inArray(votes.blockId, blockIds), eq(votes.status, 'open')));
    },

    async openVote(blockId: number): Promise<VoteRow | undefined> {
      const [row] = await ex
        .select()
        .from(votes)
        .where(and(eq(votes.blockId, blockId), eq(votes.status, 'open')));
      return row;
    },

    async vote(id: number): Promise<VoteRow | undefined> {
      const [row] = await ex.select().from(votes).where(eq(votes.id, id));
      return row;
    },

    /**
     * Opens a vote; its voters are the chat's present members (4.13.6 "участники чата") other than the
     * blocked member, bots, members under a block of their own and newcomers still behind the rules gate.
     */
    async insertVote(values: typeof votes.$inferInsert, blockedAccountId: number): Promise<VoteRow> {
      const [row] = await ex.insert(votes).values(values).returning();
      if (!row) throw new Error('vote insert returned nothing');
      await ex.execute(sql`
        insert into ${voteVoters} (vote_id, account_id)
        select ${row.id}, m.account_id from ${chatMembers} m join ${accounts} a on a.id = m.account_id
        where m.chat_id = ${values.chatId} and m.status in ('member', 'restricted')
          and m.account_id <> ${blockedAccountId} and not a.is_bot
          and not exists (select 1 from ${blocks} b where b.chat_id = m.chat_id and b.account_id = m.account_id
            and b.status in ('active', 'lifting'))
          and not exists (select 1 from ${gateEntries} g where g.chat_id = m.chat_id and g.account_id = m.account_id
            and g.status = 'pending')`);
      return row;
    },

    async updateVote(id: number, values: Partial<typeof votes.$inferInsert>): Promise<void> {
      await ex.update(votes).set(values).where(eq(votes.id, id));
    },

    async addVoter(voteId: number, accountId: number): Promise<void> {
      await ex.insert(voteVoters).values({ voteId, accountId }).onConflictDoNothing();
    },

    async voterIds(voteId: number): Promise<Set<number>> {
      const rows = await ex
        .select({ id: voteVoters.accountId })
        .from(voteVoters)
        .where(eq(voteVoters.voteId, voteId));
      return new Set(rows.map((row) => row.id));
    },

    async ballots(voteId: number) {
      return ex
        .select({ voterId: ballots.accountId, choice: ballots.choice })
        .from(ballots)
        .where(eq(ballots.voteId, voteId));
    },

    /** Casts or changes a vote; returns the previous choice, if any. */
    async cast(voteId: number, accountId: number, choice: Choice, at: Date): Promise<Choice | undefined> {
      const [previous] = await ex
        .select({ choice: ballots.choice })
        .from(ballots)
        .where(and(eq(ballots.voteId, voteId), eq(ballots.accountId, accountId)));
      await ex
        .insert(ballots)
        .values({ voteId, accountId, choice, castAt: at })
        .onConflictDoUpdate({ target: [ballots.voteId, ballots.accountId], set: { choice, castAt: at } });
      return previous?.choice;
    },

    /** Claims open votes past their closing time (once, across replicas), marking them closed. */
    /** How many votes are open now, across all chats (for /metrics). */
    async countOpen(): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)::int` })
        .from(votes)
        .where(eq(votes.status, 'open'));
      return Number(row?.n ?? 0);
    },

    async claimDueVotes(now: Date, limit: number): Promise<VoteRow[]> {
      const result = await ex.execute(sql`
        update ${votes} set status = 'closed', closed_at = ${timestamp(now)}
        where id in (
          select id from ${votes} where status = 'open' and closes_at <= ${timestamp(now)}
          order by closes_at limit ${limit} for update skip locked)
        returning id`);
      const ids = rowsOf<{ id: number }>(result).map((row) => Number(row.id));
      return ids.length === 0 ? [] : ex.select().from(votes).where(inArray(votes.id, ids));
    },

    /** Claims votes whose message is due for an edit (changes waited out the spacing). */
    async claimRenders(before: Date, limit: number): Promise<VoteRow[]> {
      const result = await ex.execute(sql`
        update ${votes} set render_needed = false
        where id in (
          select id from ${votes}
          where render_needed and message_id is not null and (rendered_at is null or rendered_at <= ${timestamp(before)})
          limit ${limit} for update skip locked)
        returning id`);
      const ids = rowsOf<{ id: number }>(result).map((row) => Number(row.id));
      return ids.length === 0
        ? []
        : ex
            .select()
            .from(votes)
            .where(and(inArray(votes.id, ids), isNotNull(votes.messageId)));
    },
  };
}

export type VotesRepository = ReturnType<typeof createVotesRepository>;
