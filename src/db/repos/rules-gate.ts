import { and, asc, desc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { readOnlyChanged } from '../changes.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import {
  acceptances,
  accounts,
  chatAdmins,
  gateEntries,
  greetings,
  inviteLinks,
  joinRequests,
} from '../schema.js';
import type { AcceptedVia } from '../tables/rules-gate.js';

export type JoinRequestRow = typeof joinRequests.$inferSelect;
export type GreetingRow = typeof greetings.$inferSelect;
export type GateEntryRow = typeof gateEntries.$inferSelect;

export function createGateRepository(ex: Executor) {
  return {
    async hasAccepted(chatId: number, accountId: number, version?: number): Promise<boolean> {
      const [row] = await ex
        .select({ id: acceptances.id })
        .from(acceptances)
        .where(
          and(
            eq(acceptances.chatId, chatId),
            eq(acceptances.accountId, accountId),
            ...(version === undefined ? [] : [eq(acceptances.rulesVersion, version)]),
          ),
        )
        .limit(1);
      return row !== undefined;
    },

    /** Records that the person accepted this version of the rules; a repeat changes nothing. */
    async accept(
      chatId: number,
      accountId: number,
      version: number,
      via: AcceptedVia,
      at: Date,
    ): Promise<boolean> {
      const inserted = await ex
        .insert(acceptances)
        .values({ chatId, accountId, rulesVersion: version, via, acceptedAt: at })
        .onConflictDoNothing()
        .returning({ id: acceptances.id });
      return inserted.length > 0;
    },

    async isAdmin(chatId: number, platformUserId: string): Promise<boolean> {
      const [row] = await ex
        .select({ id: chatAdmins.platformUserId })
        .from(chatAdmins)
        .where(and(eq(chatAdmins.chatId, chatId), eq(chatAdmins.platformUserId, platformUserId)));
      return row !== undefined;
    },

    async openRequest(chatId: number, accountId: number): Promise<JoinRequestRow | undefined> {
      const [row] = await ex
        .select()
        .from(joinRequests)
        .where(
          and(
            eq(joinRequests.chatId, chatId),
            eq(joinRequests.accountId, accountId),
            inArray(joinRequests.status, ['pending', 'accepted']),
          ),
        );
      return row;
    },

    async request(id: number): Promise<JoinRequestRow | undefined> {
      const [row] = await ex.select().from(joinRequests).where(eq(joinRequests.id, id));
      return row;
    },

    async insertRequest(values: typeof joinRequests.$inferInsert): Promise<JoinRequestRow> {
      const [row] = await ex.insert(joinRequests).values(values).returning();
      if (!row) throw new Error('join request insert returned nothing');
      return row;
    },

    async updateRequest(id: number, values: Partial<typeof joinRequests.$inferInsert>): Promise<void> {
      await ex.update(joinRequests).set(values).where(eq(joinRequests.id, id));
    },

    /** Claims pending requests past their deadline, marking them expired (once, across replicas). */
    async claimExpiredRequests(now: Date, limit: number): Promise<JoinRequestRow[]> {
      const result = await ex.execute(sql`
        update ${joinRequests} set status = 'expired', decided_at = ${timestamp(now)}
        where id in (
          select id from ${joinRequests}
          where status = 'pending' and expires_at <= ${timestamp(now)}
          order by expires_at
          limit ${limit}
          for update skip locked
        )
        returning id`);
      const ids = rowsOf<{ id: number }>(result).map((row) => Number(row.id));
      if (ids.length === 0) return [];
      return ex.select().from(joinRequests).where(inArray(joinRequests.id, ids));
    },

    /** Of these chat members, the ones still behind the gate, as `chatId:accountId` keys (one statement). */
    async pendingAmong(pairs: Array<{ chatId: number; accountId: number }>): Promise<Set<string>> {
      if (pairs.length === 0) return new Set();
      const rows = await ex
        .select({ chatId: gateEntries.chatId, accountId: gateEntries.accountId })
        .from(gateEntries)
        .where(
          and(
            inArray(gateEntries.chatId, [...new Set(pairs.map((pair) => pair.chatId))]),
            inArray(gateEntries.accountId, [...new Set(pairs.map((pair) => pair.accountId))]),
            eq(gateEntries.status, 'pending'),
          ),
        );
      return new Set(rows.map((row) => `${row.chatId}:${row.accountId}`));
    },

    async pendingEntry(chatId: number, accountId: number): Promise<GateEntryRow | undefined> {
      const [row] = await ex
        .select()
        .from(gateEntries)
        .where(
          and(
            eq(gateEntries.chatId, chatId),
            eq(gateEntries.accountId, accountId),
            eq(gateEntries.status, 'pending'),
          ),
        );
      return row;
    },

    async insertEntry(values: typeof gateEntries.$inferInsert): Promise<GateEntryRow> {
      const [row] = await ex.insert(gateEntries).values(values).returning();
      if (!row) throw new Error('gate entry insert returned nothing');
      readOnlyChanged(ex);
      return row;
    },

    async entry(id: number): Promise<GateEntryRow | undefined> {
      const [row] = await ex.select().from(gateEntries).where(eq(gateEntries.id, id));
      return row;
    },

    async updateEntry(id: number, values: Partial<typeof gateEntries.$inferInsert>): Promise<void> {
      await ex.update(gateEntries).set(values).where(eq(gateEntries.id, id));
      readOnlyChanged(ex);
    },

    async closeEntry(id: number, status: 'accepted' | 'left', at: Date): Promise<void> {
      await ex.update(gateEntries).set({ status, decidedAt: at }).where(eq(gateEntries.id, id));
      readOnlyChanged(ex);
    },

    /** The chat's greeting still gathering newcomers: open and posted less than `since` ago. */
    async recentGreeting(chatId: number, since: Date, gated: boolean): Promise<GreetingRow | undefined> {
      const [row] = await ex
        .select()
        .from(greetings)
        .where(
          and(
            eq(greetings.chatId, chatId),
            eq(greetings.gated, gated),
            sql`${greetings.closedAt} is null`,
            gt(greetings.createdAt, sql`${timestamp(since)}`),
          ),
        )
        .orderBy(desc(greetings.createdAt))
        .limit(1);
      return row;
    },

    async greeting(id: number): Promise<GreetingRow | undefined> {
      const [row] = await ex.select().from(greetings).where(eq(greetings.id, id));
      return row;
    },

    /**
     * The greeting as it stands now, locked until the transaction ends: whoever re-renders it (a
     * newcomer's event, its send's outcome, a press) waits for the others, then sees their changes.
     */
    async lockGreeting(id: number): Promise<GreetingRow | undefined> {
      const [row] = await ex.select().from(greetings).where(eq(greetings.id, id)).for('update');
      return row;
    },

    async insertGreeting(chatId: number, gated: boolean, at: Date): Promise<GreetingRow> {
      const [row] = await ex.insert(greetings).values({ chatId, gated, createdAt: at }).returning();
      if (!row) throw new Error('greeting insert returned nothing');
      return row;
    },

    async updateGreeting(id: number, values: Partial<typeof greetings.$inferInsert>): Promise<void> {
      await ex.update(greetings).set(values).where(eq(greetings.id, id));
    },

    /** Newcomers a greeting addresses (for an open greeting: those still to accept), oldest first. */
    async greetingPeople(greetingId: number, onlyPending: boolean) {
      return ex
        .select({ entry: gateEntries, account: accounts })
        .from(gateEntries)
        .innerJoin(accounts, eq(accounts.id, gateEntries.accountId))
        .where(
          and(
            eq(gateEntries.greetingId, greetingId),
            ...(onlyPending ? [eq(gateEntries.status, 'pending')] : []),
          ),
        )
        .orderBy(asc(gateEntries.id));
    },

    /**
     * Marks links past their date revoked (personal ones and moderators' /invite links alike); returns
     * them so the platform revokes them too, in the same transaction's outbox.
     */
    async expireLinks(now: Date) {
      return ex
        .update(inviteLinks)
        .set({ revokedAt: now })
        .where(and(isNull(inviteLinks.revokedAt), lte(inviteLinks.expiresAt, now)))
        .returning();
    },

    async insertInviteLink(values: typeof inviteLinks.$inferInsert): Promise<void> {
      await ex.insert(inviteLinks).values(values).onConflictDoNothing();
    },
  };
}

export type GateRepository = ReturnType<typeof createGateRepository>;
