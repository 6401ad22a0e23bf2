import { sql } from 'drizzle-orm';
import { type Executor, rowsOf, timestamp } from '../client.js';
import { AUDIT_REDACTION, AUDIT_UNREDACTED, allowAuditRedaction, counted, list } from './personal-data.js';

/** The defaults for chats of no school, or schools that set none (days). */
export interface RetentionDefaults {
  strikeDays: number;
  departedDays: number;
  auditDays: number;
}

const ENDED = sql`('lifted', 'failed')`;

/** A school's period, or the default: `coalesce(<school column>, <default>)` days before `now`. */
function cutoff(now: Date, column: string, fallback: number) {
  return sql`(${timestamp(now)} - make_interval(days => coalesce(${sql.identifier('sc')}.${sql.identifier(column)}, ${fallback})))`;
}

/**
 * Retention steps (152-ФЗ), each one batch: it claims at most `limit` rows under FOR UPDATE SKIP LOCKED, so
 * replicas share the work and a run that stops resumes where it stopped; each returns how many it did.
 */
export function createRetentionRepository(ex: Executor) {
  return {
    /** Strikes that stopped counting (revoked, their block ended, or past strike_days) a strike period ago. */
    async deleteStrikes(now: Date, defaults: RetentionDefaults, limit: number): Promise<number> {
      return counted(
        ex,
        sql`delete from strikes where id in (
          select s.id from strikes s
          join chats c on c.id = s.chat_id
          left join schools sc on sc.id = c.school_id
          left join blocks b on b.id = s.block_id
          where coalesce(
            s.revoked_at,
            case when b.status in ${ENDED} then coalesce(b.lifted_at, b.ends_at) end,
            s.created_at + make_interval(days => coalesce((c.settings->>'strike_days')::int, 365))
          ) < ${cutoff(now, 'retention_strike_days', defaults.strikeDays)}
          limit ${limit} for update of s skip locked)`,
      );
    },

    /** Blocks that ended a strike period ago, with their votes and apologies. */
    async deleteBlocks(now: Date, defaults: RetentionDefaults, limit: number): Promise<number> {
      const ids = rowsOf<{ id: number }>(
        await ex.execute(sql`
          select b.id from blocks b join chats c on c.id = b.chat_id left join schools sc on sc.id = c.school_id
          where b.status in ${ENDED}
            and coalesce(b.lifted_at, b.ends_at) < ${cutoff(now, 'retention_strike_days', defaults.strikeDays)}
          limit ${limit} for update of b skip locked`),
      ).map((row) => Number(row.id));
      if (ids.length === 0) return 0;
      await ex.execute(sql`delete from votes where block_id in (${list(ids)})`);
      await ex.execute(sql`delete from apologies where block_id in (${list(ids)})`);
      await ex.execute(sql`update strikes set block_id = null where block_id in (${list(ids)})`);
      return counted(ex, sql`delete from blocks where id in (${list(ids)})`);
    },

    /** Apologies' texts and ballots once the block they concern has ended (the counts stay on the vote). */
    async clearEndedReinstatements(limit: number): Promise<number> {
      const votes = rowsOf<{ id: number }>(
        await ex.execute(sql`
          select v.id from votes v join blocks b on b.id = v.block_id
          where v.status = 'closed' and b.status in ${ENDED}
            and (exists (select 1 from ballots x where x.vote_id = v.id)
              or exists (select 1 from vote_voters x where x.vote_id = v.id))
          limit ${limit} for update of v skip locked`),
      ).map((row) => Number(row.id));
      let done = 0;
      if (votes.length > 0) {
        done += await counted(ex, sql`delete from ballots where vote_id in (${list(votes)})`);
        done += await counted(ex, sql`delete from vote_voters where vote_id in (${list(votes)})`);
      }
      done += await counted(
        ex,
        sql`update apologies set text = '' where id in (
          select a.id from apologies a join blocks b on b.id = a.block_id
          where a.text <> '' and b.status in ${ENDED}
          limit ${limit} for update of a skip locked)`,
      );
      return done;
    },

    /** Departed people past the departed period whose names are still stored. */
    async departedDue(now: Date, defaults: RetentionDefaults, limit: number) {
      return rowsOf<{ id: number; school_id: number; kind: string; external_id: string }>(
        await ex.execute(sql`
          select p.id, p.school_id, p.kind, p.external_id from persons p join schools sc on sc.id = p.school_id
          where p.status = 'departed' and p.external_id not like 'hash:%'
            and p.updated_at < ${cutoff(now, 'retention_departed_days', defaults.departedDays)}
          limit ${limit} for update of p skip locked`),
      ).map((row) => ({
        id: Number(row.id),
        schoolId: Number(row.school_id),
        kind: row.kind,
        externalId: row.external_id,
      }));
    },

    /**
     * Keeps of a departed person only what keeps their removal in force: the keyed hash of the roster id,
     * the account links and removals (ids). Names go, from the roster and from accounts no enrolled person
     * still uses.
     */
    async forgetDeparted(personId: number, hash: string): Promise<void> {
      await ex.execute(
        sql`delete from guardianships where guardian_id = ${personId} or student_id = ${personId}`,
      );
      await ex.execute(
        sql`update invite_links set name = '' where invitation_id in (select id from invitations where person_id = ${personId})`,
      );
      await ex.execute(sql`delete from invitations where person_id = ${personId}`);
      await ex.execute(sql`update accounts set first_name = '', last_name = null, username = null
        where id in (select account_id from person_accounts where person_id = ${personId})
          and not exists (select 1 from person_accounts pa join persons p on p.id = pa.person_id
            where pa.account_id = accounts.id and p.status = 'active')`);
      await ex.execute(
        sql`update persons set name = null, class_code = null, external_id = ${hash} where id = ${personId}`,
      );
    },

    /**
     * Erased accounts kept for an active block: once the block is lifted (and no removal keeps them out)
     * the platform id becomes a random pseudonym, as for any erased account.
     */
    async releaseErasedAccounts(limit: number): Promise<number> {
      await ex.execute(sql`delete from chat_members m using accounts a where m.account_id = a.id
        and a.erased_at is not null and a.platform_user_id not like 'erased:%'
        and not exists (select 1 from blocks b where b.account_id = a.id and b.status in ('active', 'lifting'))
        and not exists (select 1 from removals r where r.account_id = a.id and r.status in ('pending', 'done'))`);
      return counted(
        ex,
        sql`update accounts set platform_user_id = 'erased:' || replace(gen_random_uuid()::text, '-', '') where id in (
          select a.id from accounts a
          where a.erased_at is not null and a.platform_user_id not like 'erased:%'
            and not exists (select 1 from blocks b where b.account_id = a.id and b.status in ('active', 'lifting'))
            and not exists (select 1 from removals r where r.account_id = a.id and r.status in ('pending', 'done'))
          limit ${limit} for update of a skip locked)`,
      );
    },

    /** Names and free text in audit entries older than the audit period (actions, times and ids stay). */
    async redactAudit(now: Date, defaults: RetentionDefaults, limit: number): Promise<number> {
      await allowAuditRedaction(ex);
      return counted(
        ex,
        sql`update audit_log set ${AUDIT_REDACTION} where id in (
          select a.id from audit_log a left join schools sc on sc.id = a.school_id
          where a.at < ${cutoff(now, 'retention_audit_days', defaults.auditDays)} and ${AUDIT_UNREDACTED}
          limit ${limit} for update of a skip locked)`,
      );
    },

    /**
     * Performed platform actions: a data export (a file) after a day, any other after `days` (messages
     * carry names).
     */
    async deletePerformedActions(now: Date, days: number, limit: number): Promise<number> {
      return counted(
        ex,
        sql`delete from outbox where id in (
          select id from outbox where status <> 'pending' and (
            completed_at < ${timestamp(now)} - make_interval(days => ${days})
            or (action->>'type' = 'send_document' and completed_at < ${timestamp(now)} - interval '1 day'))
          limit ${limit} for update skip locked)`,
      );
    },
  };
}
