import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rowsOf, timestamp } from '../client.js';

export interface RulesVersionRow {
  version: number;
  text: string | null;
  createdAt: Date;
  accepted: number;
}

export interface MemberStandingRow {
  accountId: number;
  firstName: string;
  lastName: string | null;
  username: string | null;
  status: string;
  acceptedCurrent: boolean;
  activeStrikes: number;
  blockedUntil: Date | null;
}

const MEMBERS_LIMIT = 2000;

/** The dashboard's page of one chat: its rules by version and its members' standing. */
export function createDashboardChatRepository(ex: Executor) {
  return {
    async rulesVersions(chatId: number): Promise<RulesVersionRow[]> {
      const result = await ex.execute(sql`
        select r.version, r.text, r.created_at as "createdAt",
               (select count(distinct a.account_id)::int from acceptances a
                 where a.chat_id = r.chat_id and a.rules_version = r.version) as accepted
          from rules r where r.chat_id = ${chatId} order by r.version desc`);
      return rowsOf<RulesVersionRow>(result).map((row) => ({
        ...row,
        createdAt: new Date(row.createdAt),
        accepted: Number(row.accepted),
      }));
    },

    /** Members (present first), whether they accepted `currentVersion`, strikes that count, a running block. */
    async members(
      chatId: number,
      currentVersion: number | undefined,
      now: Date,
    ): Promise<MemberStandingRow[]> {
      const version: SQL = currentVersion === undefined ? sql`null` : sql`${currentVersion}`;
      const result = await ex.execute(sql`
        select m.account_id as "accountId", ac.first_name as "firstName", ac.last_name as "lastName",
               ac.username, m.status,
               exists (select 1 from acceptances a where a.chat_id = m.chat_id and a.account_id = m.account_id
                        and a.rules_version = ${version}) as "acceptedCurrent",
               (select count(*)::int from strikes s join chats c on c.id = s.chat_id
                 where s.chat_id = m.chat_id and s.account_id = m.account_id and s.revoked_at is null
                   and s.block_id is null
                   and s.created_at > ${timestamp(now)} - make_interval(days => coalesce((c.settings->>'strike_days')::int, 365))
               ) as "activeStrikes",
               (select max(b.ends_at) from blocks b where b.chat_id = m.chat_id and b.account_id = m.account_id
                 and b.status in ('active', 'lifting')) as "blockedUntil"
          from chat_members m join accounts ac on ac.id = m.account_id
          where m.chat_id = ${chatId} and not ac.is_bot
          order by (m.status in ('member', 'restricted')) desc, ac.first_name, ac.last_name, m.account_id
          limit ${MEMBERS_LIMIT}`);
      return rowsOf<MemberStandingRow>(result).map((row) => ({
        ...row,
        acceptedCurrent: row.acceptedCurrent === true || String(row.acceptedCurrent) === 't',
        activeStrikes: Number(row.activeStrikes),
        blockedUntil: row.blockedUntil ? new Date(row.blockedUntil) : null,
      }));
    },
  };
}
