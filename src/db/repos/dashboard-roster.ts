import { sql } from 'drizzle-orm';
import { type Executor, rowsOf, timestamp } from '../client.js';

const LIMIT = 500;

export interface UninvitedRow {
  id: number;
  kind: string;
  externalId: string;
  name: string | null;
  classes: string;
}

export interface InvitationRow {
  id: number;
  kind: string;
  externalId: string;
  name: string | null;
  expiresAt: Date;
  expired: boolean;
}

export interface DepartureRow {
  personId: number;
  kind: string;
  externalId: string;
  name: string | null;
  chatTitle: string | null;
  removalStatus: string | null;
}

/** The roster page of the dashboard: whom to invite, open invitations, departures and their removals. */
export function createDashboardRosterRepository(ex: Executor) {
  return {
    /**
     * Students and guardians of the school's classes that have a chat, with no linked account present in
     * any chat of that class (a guardian's classes are their children's).
     */
    async uninvited(schoolId: number): Promise<UninvitedRow[]> {
      const result = await ex.execute(sql`
        with classes as (
          select p.id as person_id, p.class_code as class from persons p
            where p.school_id = ${schoolId} and p.status = 'active' and p.kind = 'student' and p.class_code is not null
          union
          select g.guardian_id, s.class_code from guardianships g
            join persons s on s.id = g.student_id join persons gp on gp.id = g.guardian_id
            where s.school_id = ${schoolId} and s.status = 'active' and gp.status = 'active' and s.class_code is not null
        )
        select p.id, p.kind, p.external_id as "externalId", p.name,
               string_agg(distinct c.class, ', ' order by c.class) as classes
          from classes c join persons p on p.id = c.person_id
          where exists (select 1 from chats ch where ch.school_id = ${schoolId} and ch.settings->>'class' = c.class)
            and not exists (
              select 1 from person_accounts pa
                join chat_members m on m.account_id = pa.account_id and m.status in ('member', 'restricted')
                join chats ch on ch.id = m.chat_id and ch.school_id = ${schoolId} and ch.settings->>'class' = c.class
                where pa.person_id = p.id)
          group by p.id, p.kind, p.external_id, p.name
          order by classes, p.kind desc, p.name, p.id
          limit ${LIMIT}`);
      return rowsOf<UninvitedRow>(result).map((row) => ({ ...row, id: Number(row.id) }));
    },

    /** Invitations not claimed: still valid, or past their time. */
    async openInvitations(schoolId: number, now: Date): Promise<InvitationRow[]> {
      const result = await ex.execute(sql`
        select i.id, p.kind, p.external_id as "externalId", p.name, i.expires_at as "expiresAt",
               (i.expires_at <= ${timestamp(now)} or i.revoked_at is not null) as expired
          from invitations i join persons p on p.id = i.person_id
          where i.school_id = ${schoolId} and i.claimed_at is null and p.status = 'active'
          order by i.expires_at desc limit ${LIMIT}`);
      return rowsOf<InvitationRow>(result).map((row) => ({
        ...row,
        id: Number(row.id),
        expiresAt: new Date(row.expiresAt),
        expired: row.expired === true || String(row.expired) === 't',
      }));
    },

    /** People who left, the latest first, each with the removals their departure caused. */
    async departures(schoolId: number): Promise<DepartureRow[]> {
      const result = await ex.execute(sql`
        select p.id as "personId", p.kind, p.external_id as "externalId", p.name,
               ch.title as "chatTitle", r.status as "removalStatus"
          from (select * from persons where school_id = ${schoolId} and status = 'departed'
                  order by updated_at desc, id desc limit 200) p
          left join removals r on r.person_id = p.id
          left join chats ch on ch.id = r.chat_id
          order by p.updated_at desc, p.id desc, ch.title`);
      return rowsOf<DepartureRow>(result).map((row) => ({ ...row, personId: Number(row.personId) }));
    },
  };
}
