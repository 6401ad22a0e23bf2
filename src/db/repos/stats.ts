import { and, count, countDistinct, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { acceptances, blocks, chatMembers, gateEntries, removals, strikes, votes } from '../schema.js';

/** What the director and the moderators count per chat (regulation 4.11.2): `/stats` and the API alike. */
export interface ChatCounts {
  members: number;
  /** People who accepted any version of the rules. */
  acceptances: number;
  /** People who accepted the version the caller asked about (the current one). */
  acceptancesCurrent: number;
  pendingNewcomers: number;
  strikes: { issued: number; revoked: number };
  blocks: { active: number; total: number };
  votes: { total: number; open: number; unblocked: number; kept: number };
  removals: { done: number; pending: number; failed: number };
}

const n = (value: unknown) => Number(value ?? 0);

export function createStatsRepository(ex: Executor) {
  async function byChat<T extends { chatId: number }>(rows: Promise<T[]>): Promise<Map<number, T>> {
    return new Map((await rows).map((row) => [row.chatId, row]));
  }

  return {
    /** Counts for each chat; `currentVersions` names the rules version whose acceptances count as current. */
    async countsByChat(chatIds: number[], currentVersions: ReadonlyMap<number, number> = new Map()) {
      const result = new Map<number, ChatCounts>();
      if (chatIds.length === 0) return result;
      const members = await byChat(
        ex
          .select({ chatId: chatMembers.chatId, n: count() })
          .from(chatMembers)
          .where(
            and(inArray(chatMembers.chatId, chatIds), inArray(chatMembers.status, ['member', 'restricted'])),
          )
          .groupBy(chatMembers.chatId),
      );
      const acceptedAny = await byChat(
        ex
          .select({ chatId: acceptances.chatId, n: countDistinct(acceptances.accountId) })
          .from(acceptances)
          .where(inArray(acceptances.chatId, chatIds))
          .groupBy(acceptances.chatId),
      );
      const acceptedByVersion = new Map<string, number>();
      for (const row of await ex
        .select({
          chatId: acceptances.chatId,
          version: acceptances.rulesVersion,
          n: countDistinct(acceptances.accountId),
        })
        .from(acceptances)
        .where(inArray(acceptances.chatId, chatIds))
        .groupBy(acceptances.chatId, acceptances.rulesVersion)) {
        acceptedByVersion.set(`${row.chatId}:${row.version}`, n(row.n));
      }
      const pending = await byChat(
        ex
          .select({ chatId: gateEntries.chatId, n: count() })
          .from(gateEntries)
          .where(and(inArray(gateEntries.chatId, chatIds), eq(gateEntries.status, 'pending')))
          .groupBy(gateEntries.chatId),
      );
      const strikeCounts = await byChat(
        ex
          .select({
            chatId: strikes.chatId,
            n: count(),
            revoked: sql<number>`count(${strikes.revokedAt})::int`,
          })
          .from(strikes)
          .where(inArray(strikes.chatId, chatIds))
          .groupBy(strikes.chatId),
      );
      const blockCounts = await byChat(
        ex
          .select({
            chatId: blocks.chatId,
            total: sql<number>`count(*) filter (where ${blocks.status} <> 'failed')::int`,
            active: sql<number>`count(*) filter (where ${blocks.status} in ('active', 'lifting'))::int`,
          })
          .from(blocks)
          .where(inArray(blocks.chatId, chatIds))
          .groupBy(blocks.chatId),
      );
      const voteCounts = await byChat(
        ex
          .select({
            chatId: votes.chatId,
            total: sql<number>`count(*)::int`,
            unblocked: sql<number>`count(*) filter (where ${votes.outcome} = 'unblocked')::int`,
            kept: sql<number>`count(*) filter (where ${votes.outcome} = 'kept')::int`,
            open: sql<number>`count(*) filter (where ${votes.status} = 'open')::int`,
          })
          .from(votes)
          .where(inArray(votes.chatId, chatIds))
          .groupBy(votes.chatId),
      );
      const removalCounts = await byChat(
        ex
          .select({
            chatId: removals.chatId,
            done: sql<number>`count(*) filter (where ${removals.status} = 'done')::int`,
            pending: sql<number>`count(*) filter (where ${removals.status} = 'pending')::int`,
            failed: sql<number>`count(*) filter (where ${removals.status} = 'failed')::int`,
          })
          .from(removals)
          .where(inArray(removals.chatId, chatIds))
          .groupBy(removals.chatId),
      );
      for (const chatId of chatIds) {
        const strike = strikeCounts.get(chatId);
        const block = blockCounts.get(chatId);
        const vote = voteCounts.get(chatId);
        const removal = removalCounts.get(chatId);
        const version = currentVersions.get(chatId);
        result.set(chatId, {
          members: n(members.get(chatId)?.n),
          acceptances: n(acceptedAny.get(chatId)?.n),
          acceptancesCurrent:
            version === undefined ? 0 : (acceptedByVersion.get(`${chatId}:${version}`) ?? 0),
          pendingNewcomers: n(pending.get(chatId)?.n),
          strikes: { issued: n(strike?.n), revoked: n(strike?.revoked) },
          blocks: { active: n(block?.active), total: n(block?.total) },
          votes: {
            total: n(vote?.total),
            open: n(vote?.open),
            unblocked: n(vote?.unblocked),
            kept: n(vote?.kept),
          },
          removals: { done: n(removal?.done), pending: n(removal?.pending), failed: n(removal?.failed) },
        });
      }
      return result;
    },
  };
}
