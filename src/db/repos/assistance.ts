import { and, eq, gt, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { chatAssistance, chats, flagDismissals, flagSuggestions } from '../schema.js';
import type { SuggestionStatus } from '../tables/assistance.js';

export type SuggestionRow = typeof flagSuggestions.$inferSelect;
export type DismissalRow = typeof flagDismissals.$inferSelect;

export function createAssistanceRepository(ex: Executor) {
  return {
    /** Records a suggestion; undefined when this message was already suggested for this signal. */
    async insertSuggestion(
      row: Omit<typeof flagSuggestions.$inferInsert, 'id' | 'status'>,
    ): Promise<SuggestionRow | undefined> {
      const [inserted] = await ex.insert(flagSuggestions).values(row).onConflictDoNothing().returning();
      return inserted;
    },

    async suggestion(id: number): Promise<SuggestionRow | undefined> {
      const [row] = await ex.select().from(flagSuggestions).where(eq(flagSuggestions.id, id)).limit(1);
      return row;
    },

    /** Closes an open suggestion and erases its excerpt; false when it was no longer open. */
    async close(id: number, status: Exclude<SuggestionStatus, 'open'>, by: number | null, at: Date) {
      const rows = await ex
        .update(flagSuggestions)
        .set({ status, excerpt: null, closedAt: at, closedByAccountId: by })
        .where(and(eq(flagSuggestions.id, id), eq(flagSuggestions.status, 'open')))
        .returning({ id: flagSuggestions.id });
      return rows.length > 0;
    },

    /** Expires suggestions opened before `before`: their excerpts are erased. */
    async expire(before: Date, at: Date): Promise<number> {
      const rows = await ex
        .update(flagSuggestions)
        .set({ status: 'expired', excerpt: null, closedAt: at })
        .where(and(eq(flagSuggestions.status, 'open'), lte(flagSuggestions.createdAt, before)))
        .returning({ id: flagSuggestions.id });
      return rows.length;
    },

    async dismiss(row: Omit<typeof flagDismissals.$inferInsert, 'id'>): Promise<void> {
      await ex.insert(flagDismissals).values(row);
    },

    /** The chat's dismissals still in force: patterns for everyone, and per-member ones not yet over. */
    async dismissals(chatId: number, now: Date): Promise<DismissalRow[]> {
      return ex
        .select()
        .from(flagDismissals)
        .where(
          and(
            eq(flagDismissals.chatId, chatId),
            or(isNull(flagDismissals.until), gt(flagDismissals.until, now)),
          ),
        );
    },
  };
}

export type ChatAssistanceRow = typeof chatAssistance.$inferSelect;

export function createChatAssistanceRepository(ex: Executor) {
  return {
    /** The chat's row, locked for this transaction (created when missing). */
    async lock(chatId: number): Promise<ChatAssistanceRow> {
      await ex.insert(chatAssistance).values({ chatId }).onConflictDoNothing();
      const [row] = await ex
        .select()
        .from(chatAssistance)
        .where(eq(chatAssistance.chatId, chatId))
        .for('update');
      if (!row) throw new Error(`chat_assistance row for chat ${chatId} is missing`);
      return row;
    },

    async get(chatId: number): Promise<ChatAssistanceRow | undefined> {
      const [row] = await ex.select().from(chatAssistance).where(eq(chatAssistance.chatId, chatId)).limit(1);
      return row;
    },

    async update(chatId: number, values: Partial<Omit<ChatAssistanceRow, 'chatId'>>): Promise<void> {
      await ex.update(chatAssistance).set(values).where(eq(chatAssistance.chatId, chatId));
    },

    /** Chats closed for quiet hours whose reopening is due. */
    async dueReopenings(now: Date): Promise<ChatAssistanceRow[]> {
      return ex
        .select()
        .from(chatAssistance)
        .where(and(isNotNull(chatAssistance.quietClosedAt), lte(chatAssistance.quietReopenAt, now)));
    },

    /** Chats with quiet hours or announcement-only set, and chats still closed for them. */
    async quietChatIds(): Promise<number[]> {
      const rows = await ex
        .select({ id: chats.id })
        .from(chats)
        .where(
          sql`(${chats.settings}->>'quiet_hours' is not null and ${chats.settings}->>'quiet_hours' <> 'off') or ${chats.settings}->>'announce_only' = 'on'`,
        );
      const closed = await this.closedChatIds();
      return [...new Set([...rows.map((row) => row.id), ...closed])];
    },

    async closedChatIds(): Promise<Set<number>> {
      const rows = await ex
        .select({ chatId: chatAssistance.chatId })
        .from(chatAssistance)
        .where(isNotNull(chatAssistance.quietClosedAt));
      return new Set(rows.map((row) => row.chatId));
    },
  };
}
