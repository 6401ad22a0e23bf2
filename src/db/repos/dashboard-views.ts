import { and, desc, eq, gte, ilike, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { type Executor, rowsOf, timestamp } from '../client.js';
import { accounts, auditLog, chatAdmins, chats, outbox, rules } from '../schema.js';

/** What the dashboard's audit log is filtered by; `chatIds` is what the viewer may see. */
export interface AuditFilter {
  chatIds: number[];
  /** A school administrator also sees the school's entries without a chat (roster, attachments). */
  schoolId?: number | undefined;
  chatId?: number | undefined;
  action?: string | undefined;
  /** Part of the name of whoever acted or was acted on. */
  person?: string | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

export interface AuditRow {
  id: number;
  at: Date;
  chatId: number | null;
  chatTitle: string | null;
  actorKind: string;
  actorName: string | null;
  action: string;
  targetName: string | null;
  ruleNumber: number | null;
  reason: string | null;
}

export interface WeeklyRow {
  chatId: number;
  kind: 'strikes' | 'blocks' | 'votes';
  /** Whole weeks before now: 0 is the last seven days. */
  ago: number;
  n: number;
}

const target = alias(accounts, 'target');
const WEEK_SECONDS = 7 * 24 * 3600;

function auditWhere(filter: AuditFilter): SQL | undefined {
  const scope = filter.chatIds.length > 0 ? inArray(auditLog.chatId, filter.chatIds) : sql`false`;
  const visible = filter.schoolId !== undefined ? or(scope, eq(auditLog.schoolId, filter.schoolId)) : scope;
  const conditions: Array<SQL | undefined> = [visible];
  if (filter.chatId !== undefined) conditions.push(eq(auditLog.chatId, filter.chatId));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (filter.from) conditions.push(gte(auditLog.at, filter.from));
  if (filter.to) conditions.push(lt(auditLog.at, filter.to));
  if (filter.person) {
    const pattern = `%${filter.person.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      or(
        ilike(auditLog.actorName, pattern),
        ilike(sql`concat_ws(' ', ${target.firstName}, ${target.lastName})`, pattern),
        ilike(target.username, pattern),
      ),
    );
  }
  return and(...conditions);
}

/** The dashboard's reading queries: overview counts, weekly series, the audit log, failed actions. */
export function createDashboardViewsRepository(ex: Executor) {
  return {
    /** Chats where this platform user is a (not anonymous) administrator and the bot still is. */
    async chatsAdministeredBy(platform: string, platformUserId: string): Promise<number[]> {
      const rows = await ex
        .select({ id: chats.id })
        .from(chatAdmins)
        .innerJoin(chats, eq(chats.id, chatAdmins.chatId))
        .where(
          and(
            eq(chats.platform, platform),
            eq(chatAdmins.platformUserId, platformUserId),
            eq(chatAdmins.isAnonymous, false),
            inArray(chats.botStatus, ['member', 'administrator']),
          ),
        )
        .orderBy(chats.id);
      return rows.map((row) => row.id);
    },

    /** Strikes, blocks and votes per chat and week, over the last `weeks` weeks before `now`. */
    async weekly(chatIds: number[], now: Date, weeks: number): Promise<WeeklyRow[]> {
      if (chatIds.length === 0) return [];
      const since = new Date(now.getTime() - weeks * WEEK_SECONDS * 1000);
      const ids = sql.join(
        chatIds.map((id) => sql`${id}`),
        sql`, `,
      );
      const bucket = (column: SQL) =>
        sql`floor(extract(epoch from (${timestamp(now)} - ${column})) / ${WEEK_SECONDS})::int`;
      const result = await ex.execute(sql`
        select chat_id as "chatId", 'strikes' as kind, ${bucket(sql`created_at`)} as ago, count(*)::int as n
          from strikes where chat_id in (${ids}) and created_at > ${timestamp(since)} and created_at <= ${timestamp(now)}
          group by 1, 3
        union all
        select chat_id, 'blocks', ${bucket(sql`created_at`)}, count(*)::int
          from blocks where chat_id in (${ids}) and status <> 'failed'
            and created_at > ${timestamp(since)} and created_at <= ${timestamp(now)}
          group by 1, 3
        union all
        select chat_id, 'votes', ${bucket(sql`opened_at`)}, count(*)::int
          from votes where chat_id in (${ids}) and opened_at > ${timestamp(since)} and opened_at <= ${timestamp(now)}
          group by 1, 3`);
      return rowsOf<WeeklyRow>(result).map((row) => ({
        chatId: Number(row.chatId),
        kind: row.kind,
        ago: Number(row.ago),
        n: Number(row.n),
      }));
    },

    /** Strikes that count now: not revoked, not spent on a block, within the chat's `strike_days`. */
    async activeStrikes(chatIds: number[], now: Date): Promise<Map<number, number>> {
      if (chatIds.length === 0) return new Map();
      const ids = sql.join(
        chatIds.map((id) => sql`${id}`),
        sql`, `,
      );
      const result = await ex.execute(sql`
        select s.chat_id as "chatId", count(*)::int as n
          from strikes s join chats c on c.id = s.chat_id
          where s.chat_id in (${ids}) and s.revoked_at is null and s.block_id is null
            and s.created_at > ${timestamp(now)} - make_interval(days => coalesce((c.settings->>'strike_days')::int, 365))
          group by s.chat_id`);
      return new Map(
        rowsOf<{ chatId: number; n: number }>(result).map((r) => [Number(r.chatId), Number(r.n)]),
      );
    },

    /** The current rules version of each chat (none when it never had rules set). */
    async currentRulesVersions(chatIds: number[]): Promise<Map<number, number>> {
      if (chatIds.length === 0) return new Map();
      const rows = await ex
        .select({ chatId: rules.chatId, version: sql<number>`max(${rules.version})::int` })
        .from(rules)
        .where(inArray(rules.chatId, chatIds))
        .groupBy(rules.chatId);
      return new Map(rows.map((row) => [row.chatId, Number(row.version)]));
    },

    async failedActionCounts(chatIds: number[]): Promise<Map<number, number>> {
      if (chatIds.length === 0) return new Map();
      const rows = await ex
        .select({ chatId: outbox.chatId, n: sql<number>`count(*)::int` })
        .from(outbox)
        .where(and(inArray(outbox.chatId, chatIds), eq(outbox.status, 'failed')))
        .groupBy(outbox.chatId);
      return new Map(rows.map((row) => [Number(row.chatId), Number(row.n)]));
    },

    /** One page of the audit log, newest first; one row more than `limit` tells there is a next page. */
    async auditPage(filter: AuditFilter, limit: number, offset: number): Promise<AuditRow[]> {
      const rows = await ex
        .select({
          id: auditLog.id,
          at: auditLog.at,
          chatId: auditLog.chatId,
          chatTitle: chats.title,
          actorKind: auditLog.actorKind,
          actorName: auditLog.actorName,
          action: auditLog.action,
          targetFirst: target.firstName,
          targetLast: target.lastName,
          ruleNumber: auditLog.ruleNumber,
          reason: auditLog.reason,
        })
        .from(auditLog)
        .leftJoin(chats, eq(chats.id, auditLog.chatId))
        .leftJoin(target, eq(target.id, auditLog.targetAccountId))
        .where(auditWhere(filter))
        .orderBy(desc(auditLog.id))
        .limit(limit)
        .offset(offset);
      return rows.map(({ targetFirst, targetLast, ...row }) => ({
        ...row,
        targetName: targetFirst === null ? null : [targetFirst, targetLast].filter(Boolean).join(' '),
      }));
    },

    /** The actions the audit log of these chats holds, for the filter's list. */
    async auditActions(chatIds: number[]): Promise<string[]> {
      if (chatIds.length === 0) return [];
      const rows = await ex
        .selectDistinct({ action: auditLog.action })
        .from(auditLog)
        .where(inArray(auditLog.chatId, chatIds))
        .orderBy(auditLog.action);
      return rows.map((row) => row.action);
    },

    /** Platform actions that failed for good, newest first. */
    async failedActions(chatIds: number[], limit: number) {
      if (chatIds.length === 0) return [];
      return ex
        .select({
          id: outbox.id,
          chatId: outbox.chatId,
          chatTitle: chats.title,
          action: outbox.action,
          lastError: outbox.lastError,
          attempts: outbox.attempts,
          hasOutcome: sql<boolean>`(${outbox.onDone} is not null or ${outbox.onFailed} is not null)`,
          completedAt: outbox.completedAt,
          createdAt: outbox.createdAt,
        })
        .from(outbox)
        .leftJoin(chats, eq(chats.id, outbox.chatId))
        .where(and(inArray(outbox.chatId, chatIds), eq(outbox.status, 'failed')))
        .orderBy(desc(outbox.id))
        .limit(limit);
    },

    async outboxRow(id: number) {
      const [row] = await ex.select().from(outbox).where(eq(outbox.id, id));
      return row;
    },

    /** Takes a failed action out of the failed list once it is retried; false when it no longer was failed. */
    async markRetried(id: number, at: Date): Promise<boolean> {
      const rows = await ex
        .update(outbox)
        .set({ status: 'cancelled', completedAt: at })
        .where(and(eq(outbox.id, id), eq(outbox.status, 'failed')))
        .returning({ id: outbox.id });
      return rows.length > 0;
    },
  };
}
