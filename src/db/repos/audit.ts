import { aliasedTable, and, count, desc, eq, gt, notInArray, type SQL, sql } from 'drizzle-orm';
import { type Executor, timestamp } from '../client.js';
import { accounts, auditLog } from '../schema.js';
import type { ActorKind } from '../tables/audit.js';

/**
 * Every moderation action the product takes or records; see regulation 4.13.7. A new action is added here,
 * and a test then asks for its words in both locales (`act.action.<code>`, the destruction act's extract).
 */
export const AUDIT_ACTIONS = [
  'chat_registered',
  'bot_removed',
  'chat_migrated',
  'rules_changed',
  'settings_changed',
  'strike',
  'strike_revoked',
  'block',
  'block_failed',
  'block_reapplied',
  'unblock',
  'lift_failed',
  'message_deleted',
  'report',
  'apology',
  'vote_opened',
  'vote_cast',
  'vote_closed',
  'removed',
  'removal_failed',
  'removal_lifted',
  'account_linked',
  'manual_removal',
  'manual_restriction',
  'attachment_requested',
  'attachment_confirmed',
  'attachment_rejected',
  'action_failed',
  'action_retried',
  'personal_data_erased',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The bot's own housekeeping, which `/log` does not show. */
const NOT_IN_LOG: AuditAction[] = [
  'chat_registered',
  'chat_migrated',
  'bot_removed',
  'vote_cast',
  'block_reapplied',
  'personal_data_erased',
];

export interface AuditEntry {
  at: Date;
  schoolId?: number | null;
  chatId?: number | null;
  actorKind: ActorKind;
  actorAccountId?: number | null;
  actorName?: string | null;
  action: AuditAction;
  targetAccountId?: number | null;
  ruleNumber?: number | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/**
 * An audit entry's insert as a part of a larger statement: a CTE that writes the entry along with the
 * row it records (one round trip). `idFrom` names that CTE: the entry is written once per row it
 * returns, with the row's id added to the details under `key`.
 */
export function auditEntryInsert(entry: AuditEntry, idFrom: { cte: string; key: string }): SQL {
  const cte = sql.identifier(idFrom.cte);
  return sql`insert into ${auditLog} (at, school_id, chat_id, actor_kind, actor_account_id, actor_name,
      action, target_account_id, rule_number, reason, details)
    select ${timestamp(entry.at)}, ${entry.schoolId ?? null}::int, ${entry.chatId ?? null}::int,
      ${entry.actorKind}, ${entry.actorAccountId ?? null}::int, ${entry.actorName ?? null}::text,
      ${entry.action}, ${entry.targetAccountId ?? null}::int, ${entry.ruleNumber ?? null}::int,
      ${entry.reason ?? null}::text,
      ${JSON.stringify(entry.details ?? {})}::jsonb || jsonb_build_object(${idFrom.key}::text, ${cte}.id)
    from ${cte}`;
}

export function createAuditRepository(ex: Executor) {
  return {
    async append(entry: AuditEntry): Promise<void> {
      await this.appendAll([entry]);
    },

    /** Several entries in one statement (a batch of outcomes), in their order. */
    async appendAll(entries: AuditEntry[]): Promise<void> {
      if (entries.length === 0) return;
      await ex.insert(auditLog).values(
        entries.map((entry) => ({
          at: entry.at,
          schoolId: entry.schoolId ?? null,
          chatId: entry.chatId ?? null,
          actorKind: entry.actorKind,
          actorAccountId: entry.actorAccountId ?? null,
          actorName: entry.actorName ?? null,
          action: entry.action,
          targetAccountId: entry.targetAccountId ?? null,
          ruleNumber: entry.ruleNumber ?? null,
          reason: entry.reason ?? null,
          details: entry.details ?? {},
        })),
      );
    },

    /**
     * The chat's last moderation actions for `/log`, newest first, with who acted and on whom; the
     * bot's own housekeeping (registrations, migrations, single ballots, re-applied blocks) left out.
     */
    async forLog(chatId: number, limit: number) {
      const actor = aliasedTable(accounts, 'actor');
      const target = aliasedTable(accounts, 'target');
      return ex
        .select({ entry: auditLog, actor, target })
        .from(auditLog)
        .leftJoin(actor, eq(actor.id, auditLog.actorAccountId))
        .leftJoin(target, eq(target.id, auditLog.targetAccountId))
        .where(and(eq(auditLog.chatId, chatId), notInArray(auditLog.action, NOT_IN_LOG)))
        .orderBy(desc(auditLog.id))
        .limit(limit);
    },

    /** How many entries of an action a chat got since `since` (by one actor, or reported ones). */
    async countSince(
      chatId: number,
      action: AuditAction,
      since: Date,
      filter: { actorAccountId?: number; reported?: true } = {},
    ): Promise<number> {
      const [row] = await ex
        .select({ n: count() })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.chatId, chatId),
            eq(auditLog.action, action),
            gt(auditLog.at, sql`${timestamp(since)}`),
            filter.actorAccountId === undefined
              ? undefined
              : eq(auditLog.actorAccountId, filter.actorAccountId),
            filter.reported ? sql`${auditLog.details} ->> 'reported' = 'true'` : undefined,
          ),
        );
      return Number(row?.n ?? 0);
    },
  };
}
