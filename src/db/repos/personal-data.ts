import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../client.js';
import { accounts, destructionActs, persons, schools } from '../schema.js';
import type { DestroyedCategory, LogExtractEntry } from '../tables/personal-data.js';

export type { DestroyedCategory, LogExtractEntry } from '../tables/personal-data.js';
export type ActRow = typeof destructionActs.$inferSelect;

/** A raw row as the database gives it: snake_case columns. */
export type RawRow = Record<string, unknown>;

/** The tables a person's rows are looked up in, and by which column(s). Names are ours, never input. */
export const ACCOUNT_KEYED: Record<string, string[]> = {
  accounts: ['id'],
  chat_members: ['account_id'],
  chat_admins: ['account_id'],
  acceptances: ['account_id'],
  join_requests: ['account_id'],
  gate_entries: ['account_id'],
  strikes: ['account_id'],
  blocks: ['account_id'],
  apologies: ['account_id'],
  ballots: ['account_id'],
  removals: ['account_id'],
  person_accounts: ['account_id'],
  flag_suggestions: ['account_id'],
  flag_dismissals: ['account_id'],
  audit_log: ['actor_account_id', 'target_account_id'],
};
export const PERSON_KEYED: Record<string, string[]> = {
  persons: ['id'],
  guardianships: ['guardian_id', 'student_id'],
  invitations: ['person_id'],
};

/** `a, b, c` for an IN list; callers never pass an empty list. */
export function list(values: readonly (number | string)[]): SQL {
  return sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );
}

/** Runs an UPDATE or DELETE (without RETURNING) and tells how many rows it touched. */
export async function counted(ex: Executor, statement: SQL): Promise<number> {
  const result = await ex.execute(
    sql`with changed as (${statement} returning 1) select count(*)::int as n from changed`,
  );
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}

/**
 * The audit log's reasons that are codes, not someone's words (a lift's cause, a vote's outcome, a
 * removal's cause): redaction keeps them.
 */
export const CODED_REASONS = sql`('block', 'unblock', 'vote_closed', 'removed', 'removal_failed', 'removal_lifted')`;

/** What redaction sets in an audit entry: no name, no free text (coded reasons stay). */
export const AUDIT_REDACTION = sql`actor_name = null,
  reason = case when action in ${CODED_REASONS} then reason else null end,
  details = details - 'excerpt' - 'error' - 'title'`;

/** An audit entry that still holds a name or free text. */
export const AUDIT_UNREDACTED = sql`(actor_name is not null
  or (reason is not null and action not in ${CODED_REASONS})
  or details ?| array['excerpt', 'error', 'title'])`;

/** Lets this transaction blank names and free text in the append-only audit log (see migration). */
export async function allowAuditRedaction(ex: Executor): Promise<void> {
  await ex.execute(sql`select set_config('ccm.audit_redaction', 'on', true)`);
}

export function createPersonalDataRepository(ex: Executor) {
  return {
    async person(schoolId: number, kind: string, externalId: string) {
      const [row] = await ex
        .select()
        .from(persons)
        .where(
          and(
            eq(persons.schoolId, schoolId),
            eq(persons.kind, kind as 'student'),
            eq(persons.externalId, externalId),
          ),
        );
      return row;
    },

    async account(platform: string, platformUserId: string) {
      const [row] = await ex
        .select()
        .from(accounts)
        .where(and(eq(accounts.platform, platform), eq(accounts.platformUserId, platformUserId)));
      return row;
    },

    /** Whether an account was ever seen in a chat of the school, or linked to one of its people. */
    async accountInSchool(accountId: number, schoolId: number): Promise<boolean> {
      const result = await ex.execute(sql`
        select 1 from chat_members m join chats c on c.id = m.chat_id
        where m.account_id = ${accountId} and c.school_id = ${schoolId}
        union all
        select 1 from person_accounts pa join persons p on p.id = pa.person_id
        where pa.account_id = ${accountId} and p.school_id = ${schoolId}
        limit 1`);
      return rowsOf(result).length > 0;
    },

    async accountIdsOf(personIds: number[]): Promise<number[]> {
      if (personIds.length === 0) return [];
      const result = await ex.execute(
        sql`select distinct account_id from person_accounts where person_id in (${list(personIds)})`,
      );
      return rowsOf<{ account_id: number }>(result).map((row) => Number(row.account_id));
    },

    /** The rows of one table whose key column(s) hold one of the ids, every column, oldest first. */
    async rowsOf(table: string, keys: string[], ids: number[]): Promise<RawRow[]> {
      if (ids.length === 0) return [];
      const where = sql.join(
        keys.map((key) => sql`${sql.identifier(key)} in (${list(ids)})`),
        sql` or `,
      );
      const result = await ex.execute(sql`select * from ${sql.identifier(table)} where ${where}`);
      return rowsOf<RawRow>(result);
    },

    /** Roster events that name a person by the school's id. */
    async rosterEventsAbout(schoolId: number, externalId: string): Promise<RawRow[]> {
      const result = await ex.execute(sql`
        select * from roster_events where school_id = ${schoolId} and (
          payload->>'studentId' = ${externalId} or payload->>'guardianId' = ${externalId}
          or payload->>'staffId' = ${externalId} or payload->>'id' = ${externalId})
        order by id`);
      return rowsOf<RawRow>(result);
    },

    async chatTitles(chatIds: number[]): Promise<Map<number, string>> {
      if (chatIds.length === 0) return new Map();
      const result = await ex.execute(sql`select id, title from chats where id in (${list(chatIds)})`);
      return new Map(rowsOf<{ id: number; title: string }>(result).map((row) => [Number(row.id), row.title]));
    },

    async school(id: number) {
      const [row] = await ex.select().from(schools).where(eq(schools.id, id));
      return row;
    },

    async actBySubject(schoolId: number | null, subjectKind: string, subjectKey: string) {
      const [row] = await ex
        .select()
        .from(destructionActs)
        .where(
          and(
            schoolId === null
              ? sql`${destructionActs.schoolId} is null`
              : eq(destructionActs.schoolId, schoolId),
            eq(destructionActs.subjectKind, subjectKind),
            eq(destructionActs.subjectKey, subjectKey),
          ),
        );
      return row;
    },

    async act(id: number, schoolId?: number): Promise<ActRow | undefined> {
      const [row] = await ex
        .select()
        .from(destructionActs)
        .where(
          and(
            eq(destructionActs.id, id),
            schoolId === undefined ? undefined : eq(destructionActs.schoolId, schoolId),
          ),
        );
      return row;
    },

    async acts(schoolId: number): Promise<ActRow[]> {
      return ex
        .select()
        .from(destructionActs)
        .where(eq(destructionActs.schoolId, schoolId))
        .orderBy(desc(destructionActs.id));
    },

    async insertAct(values: typeof destructionActs.$inferInsert): Promise<ActRow> {
      const [row] = await ex.insert(destructionActs).values(values).returning();
      if (!row) throw new Error('the act was not written');
      return row;
    },

    /** The audit entries about the accounts (after redaction), for an act's log extract. */
    async logExtract(accountIds: number[]): Promise<LogExtractEntry[]> {
      if (accountIds.length === 0) return [];
      const result = await ex.execute(sql`
        select id, at, action, chat_id, actor_kind from audit_log
        where actor_account_id in (${list(accountIds)}) or target_account_id in (${list(accountIds)})
        order by id`);
      return rowsOf<{
        id: number;
        at: Date | string;
        action: string;
        chat_id: number | null;
        actor_kind: string;
      }>(result).map((row) => ({
        id: Number(row.id),
        at: new Date(row.at).toISOString(),
        action: row.action,
        chatId: row.chat_id === null ? null : Number(row.chat_id),
        actorKind: row.actor_kind,
      }));
    },

    async setRetention(
      schoolId: number,
      values: { strikeDays: number | null; departedDays: number | null; auditDays: number | null },
    ): Promise<void> {
      await ex
        .update(schools)
        .set({
          retentionStrikeDays: values.strikeDays,
          retentionDepartedDays: values.departedDays,
          retentionAuditDays: values.auditDays,
        })
        .where(eq(schools.id, schoolId));
    },

    /** A re-enrolled person gets their roster id back from its keyed hash (their removals then apply). */
    async restoreRosterId(schoolId: number, kind: string, hash: string, externalId: string): Promise<number> {
      return counted(
        ex,
        sql`update persons set external_id = ${externalId}
          where school_id = ${schoolId} and kind = ${kind} and external_id = ${hash}`,
      );
    },

    async setPrivacyNotice(schoolId: number, text: string | null): Promise<void> {
      await ex.update(schools).set({ privacyNotice: text }).where(eq(schools.id, schoolId));
    },
  };
}

export type PersonalDataRepository = ReturnType<typeof createPersonalDataRepository>;
export type { DestroyedCategory as Category };
