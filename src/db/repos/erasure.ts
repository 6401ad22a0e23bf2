import { sql } from 'drizzle-orm';
import { readOnlyChanged } from '../changes.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import { AUDIT_REDACTION, AUDIT_UNREDACTED, allowAuditRedaction, counted, list } from './personal-data.js';

/** What one erasure destroys: the person's roster records and their messenger accounts. */
export interface ErasurePlan {
  schoolId: number | null;
  personIds: number[];
  /** The keyed hash that replaces each person's roster id (by person id). */
  personHashes: Map<number, string>;
  /** The school's ids of the persons, to find roster events about them. */
  externalIds: string[];
  accountIds: number[];
  /** The accounts' platform ids and names, to find performed platform actions that carry them. */
  platformIds: string[];
  names: string[];
  now: Date;
  /** A fresh random platform id per account no removal or block needs any more. */
  pseudonym: () => string;
}

export interface ErasureCounts {
  destroyed: Record<string, number>;
  kept: Record<string, number>;
}

const ENDED = sql`('lifted', 'failed')`;

/**
 * Destroys a person's personal data in one transaction (the caller's). Keeps, without names, an active
 * block (until it is lifted) and the accounts a removal must keep out (the removal list); the audit log's
 * entries stay as actions with the account id as the pseudonym.
 */
export async function erasePersonalData(ex: Executor, plan: ErasurePlan): Promise<ErasureCounts> {
  const destroyed: Record<string, number> = {};
  const kept: Record<string, number> = {};
  const add = (bag: Record<string, number>, key: string, n: number) => {
    if (n > 0) bag[key] = (bag[key] ?? 0) + n;
  };
  const accountIds = plan.accountIds;
  const personIds = plan.personIds;
  const acc = accountIds.length > 0 ? list(accountIds) : sql`-1`;
  const per = personIds.length > 0 ? list(personIds) : sql`-1`;

  const liveBlocks = rowsOf<{ account_id: number }>(
    await ex.execute(
      sql`select account_id from blocks where account_id in (${acc}) and status in ('active', 'lifting')`,
    ),
  ).map((row) => Number(row.account_id));
  const removed = rowsOf<{ account_id: number }>(
    await ex.execute(
      sql`select distinct account_id from removals where account_id in (${acc}) and status in ('pending', 'done')`,
    ),
  ).map((row) => Number(row.account_id));
  const keepIds = [...new Set([...liveBlocks, ...removed])];
  const keep = keepIds.length > 0 ? list(keepIds) : sql`-1`;
  add(kept, 'active_blocks', liveBlocks.length);
  add(kept, 'removal_list', removed.length);

  // Votes on the person's ended blocks go with them; ballots and voter lists of the person everywhere.
  add(destroyed, 'ballots', await counted(ex, sql`delete from ballots where account_id in (${acc})`));
  await counted(ex, sql`delete from vote_voters where account_id in (${acc})`);
  const endedVotes = sql`select v.id from votes v join blocks b on b.id = v.block_id where b.account_id in (${acc}) and b.status in ${ENDED}`;
  add(destroyed, 'votes', await counted(ex, sql`delete from votes where id in (${endedVotes})`));
  add(
    destroyed,
    'apologies',
    await counted(
      ex,
      sql`delete from apologies a where a.account_id in (${acc}) and not exists (select 1 from votes v where v.apology_id = a.id)`,
    ),
  );
  add(
    destroyed,
    'apologies',
    await counted(ex, sql`update apologies set text = '' where account_id in (${acc}) and text <> ''`),
  );
  add(destroyed, 'strikes', await counted(ex, sql`delete from strikes where account_id in (${acc})`));
  add(
    destroyed,
    'names_as_moderator',
    await counted(
      ex,
      sql`update strikes set moderator_name = '' where moderator_account_id in (${acc}) and moderator_name <> ''`,
    ),
  );
  add(
    destroyed,
    'blocks',
    await counted(
      ex,
      sql`delete from blocks b where b.account_id in (${acc}) and b.status in ${ENDED}
        and not exists (select 1 from apologies a where a.block_id = b.id)
        and not exists (select 1 from votes v where v.block_id = b.id)`,
    ),
  );
  add(destroyed, 'acceptances', await counted(ex, sql`delete from acceptances where account_id in (${acc})`));
  // Help for the moderator: the author's flagged messages (with their excerpts) and dismissals for them.
  add(
    destroyed,
    'flagged_messages',
    await counted(ex, sql`delete from flag_suggestions where account_id in (${acc})`),
  );
  add(
    destroyed,
    'flagged_messages',
    await counted(ex, sql`delete from flag_dismissals where account_id in (${acc})`),
  );
  for (const platformId of plan.platformIds)
    await ex.execute(
      sql`update chat_assistance set quiet_reminded = quiet_reminded - ${platformId}::text
        where quiet_reminded ? ${platformId}::text`,
    );
  add(
    destroyed,
    'join_requests',
    await counted(ex, sql`delete from join_requests where account_id in (${acc})`),
  );
  await counted(ex, sql`delete from dashboard_links where account_id in (${acc})`);
  await counted(ex, sql`delete from dashboard_sessions where account_id in (${acc})`);
  add(
    destroyed,
    'gate_entries',
    await counted(ex, sql`delete from gate_entries where account_id in (${acc})`),
  );
  // An erased newcomer's pending entry is gone, and so is their silence.
  readOnlyChanged(ex);
  add(
    destroyed,
    'memberships',
    await counted(
      ex,
      sql`delete from chat_members where account_id in (${acc}) and account_id not in (${keep})`,
    ),
  );
  const platformIds = plan.platformIds.length > 0 ? list(plan.platformIds) : sql`''`;
  add(
    destroyed,
    'memberships',
    await counted(
      ex,
      sql`delete from chat_admins where account_id in (${acc}) or platform_user_id in (${platformIds})`,
    ),
  );
  add(
    destroyed,
    'removals',
    await counted(
      ex,
      sql`delete from removals where account_id in (${acc}) and status not in ('pending', 'done')`,
    ),
  );

  // The roster: links and invitations go; a person a removal still refers to stays as a keyed hash.
  add(
    destroyed,
    'guardianships',
    await counted(ex, sql`delete from guardianships where guardian_id in (${per}) or student_id in (${per})`),
  );
  await counted(
    ex,
    sql`update invite_links set name = '' where invitation_id in (select id from invitations where person_id in (${per}))`,
  );
  add(destroyed, 'invitations', await counted(ex, sql`delete from invitations where person_id in (${per})`));
  add(
    destroyed,
    'account_links',
    await counted(
      ex,
      sql`delete from person_accounts where person_id in (${per}) and account_id not in (${keep})`,
    ),
  );
  for (const personId of personIds) {
    const referenced = rowsOf(
      await ex.execute(sql`
        select 1 from removals where person_id = ${personId} or cause_student_id = ${personId}
        union all select 1 from person_accounts where person_id = ${personId} limit 1`),
    );
    if (referenced.length > 0) {
      await ex.execute(sql`update persons set name = null, class_code = null,
        external_id = ${plan.personHashes.get(personId) ?? `erased:${personId}`} where id = ${personId}`);
      add(kept, 'roster_hash', 1);
    } else {
      await ex.execute(sql`delete from persons where id = ${personId}`);
    }
    add(destroyed, 'roster_records', 1);
  }
  if (plan.schoolId !== null && plan.externalIds.length > 0) {
    const ids = list(plan.externalIds);
    add(
      destroyed,
      'roster_events',
      await counted(
        ex,
        sql`update roster_events set payload = jsonb_build_object('type', type) where school_id = ${plan.schoolId} and (
          payload->>'studentId' in (${ids}) or payload->>'guardianId' in (${ids}) or payload->>'staffId' in (${ids}))`,
      ),
    );
  }

  // The audit log: names and free text go; actions, times and the account ids (the pseudonyms) stay.
  await allowAuditRedaction(ex);
  add(
    destroyed,
    'audit_names_and_texts',
    await counted(
      ex,
      sql`update audit_log set ${AUDIT_REDACTION}
        where (actor_account_id in (${acc}) or target_account_id in (${acc}) or (details->>'personId')::int in (${per}))
        and ${AUDIT_UNREDACTED}`,
    ),
  );

  // Performed platform actions that carry the person's platform id or name (pending ones still run).
  const carries = [
    sql`action->>'userId' in (${platformIds})`,
    sql`action->'chat'->>'platformChatId' in (${platformIds})`,
    ...plan.names
      .filter((name) => name.trim().length >= 2)
      .map(
        (name) => sql`(action::text ilike ${`%${name}%`} or coalesce(result::text, '') ilike ${`%${name}%`})`,
      ),
  ];
  add(
    destroyed,
    'sent_messages',
    await counted(
      ex,
      sql`delete from outbox where status <> 'pending' and (${sql.join(carries, sql` or `)})`,
    ),
  );

  // Accounts: names always go; the platform id too unless a removal or an active block needs it.
  add(
    destroyed,
    'account_names',
    await counted(
      ex,
      sql`update accounts set first_name = '', last_name = null, username = null, language_code = null,
        private_chat_open = false, erased_at = ${timestamp(plan.now)} where id in (${acc})`,
    ),
  );
  for (const accountId of accountIds.filter((id) => !keepIds.includes(id))) {
    await ex.execute(sql`update accounts set platform_user_id = ${plan.pseudonym()} where id = ${accountId}`);
    add(destroyed, 'platform_ids', 1);
  }
  return { destroyed, kept };
}
