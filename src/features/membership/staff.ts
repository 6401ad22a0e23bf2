import type { Executor } from '../../db/client.js';
import { createAdminsRepository } from '../../db/repos/accounts.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createRosterRepository } from '../../db/repos/roster.js';
import type { Work } from '../../outbox/work.js';
import type { Services } from '../../runtime/services.js';

/**
 * Which of a chat's administrators moderate it (4.13.2 "педагог … будет являться модератором"). In a
 * chat of a school whose roster links at least one of the chat's administrators to an employee, only
 * administrators linked to an employee still employed moderate; until then (and in a chat of no school)
 * every administrator does, so the first teacher can link the others. An administrator linked to an
 * employee who left never moderates.
 */
export interface ModeratorRule {
  /** Administrators are moderators only when linked to an employee. */
  staffOnly: boolean;
  /** Platform ids of administrators linked to an employee still employed. */
  staff: ReadonlySet<string>;
  /** Platform ids of administrators linked only to employees who left. */
  departed: ReadonlySet<string>;
}

const NO_RULE: ModeratorRule = { staffOnly: false, staff: new Set(), departed: new Set() };

/**
 * The chat's rule, cached per chat. Outside a transaction it is read from the pool on a miss. Inside
 * one, pass the transaction as `within`: a miss is read through it (a query on the pool there would wait
 * for a second connection while holding one, and enough of those at once, after a restart emptied the
 * cache, hold the whole pool), and cached once it commits. `fresh` reads through `within` and caches
 * nothing: where the answer must be as committed now (the dashboard's list of a moderator's chats).
 */
export async function moderatorRule(
  services: Services,
  chat: ChatRecord,
  within?: { ex: Executor; fresh?: boolean; afterCommit?: (fn: () => void) => void },
): Promise<ModeratorRule> {
  const cached = within?.fresh ? undefined : services.moderatorRules.get(chat.id);
  if (cached) return cached;
  const db = within?.ex ?? services.db;
  let rule = NO_RULE;
  if (chat.schoolId !== null) {
    const admins = await createAdminsRepository(db).list(chat.id);
    const employees = await createRosterRepository(db).staffAccounts(chat.schoolId);
    const linked = (accounts: Set<number>) =>
      new Set(
        admins.filter((a) => a.accountId !== null && accounts.has(a.accountId)).map((a) => a.platformUserId),
      );
    const staff = linked(employees.active);
    rule = { staffOnly: staff.size > 0, staff, departed: linked(employees.departed) };
  }
  const remember = () => services.moderatorRules.set(chat.id, rule);
  if (!within) remember();
  else if (!within.fresh) within.afterCommit?.(remember);
  return rule;
}

/** {@link moderatorRule} inside a unit of work: its transaction reads a miss, cached on commit. */
export function moderatorRuleIn(services: Services, work: Work, chat: ChatRecord): Promise<ModeratorRule> {
  return moderatorRule(services, chat, { ex: work.tx, afterCommit: (fn) => work.afterCommit(fn) });
}

/** Whether an administrator of the chat (by platform id) moderates it under its rule. */
export function moderatesUnder(rule: ModeratorRule, platformUserId: string): boolean {
  if (rule.departed.has(platformUserId) && !rule.staff.has(platformUserId)) return false;
  return !rule.staffOnly || rule.staff.has(platformUserId);
}
