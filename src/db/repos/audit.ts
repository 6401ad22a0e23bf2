import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { auditLog } from '../schema.js';

/** Every moderation action the product takes or records; see regulation 4.13.7. */
export type AuditAction =
  | 'chat_registered'
  | 'bot_removed'
  | 'chat_migrated'
  | 'rules_changed'
  | 'settings_changed'
  | 'strike'
  | 'strike_revoked'
  | 'block'
  | 'block_failed'
  | 'block_reapplied'
  | 'unblock'
  | 'lift_failed'
  | 'message_deleted'
  | 'report'
  | 'apology'
  | 'vote_opened'
  | 'vote_cast'
  | 'vote_closed'
  | 'removed'
  | 'removal_failed'
  | 'removal_lifted'
  | 'account_linked'
  | 'action_failed';

export interface AuditEntry {
  at: Date;
  schoolId?: number | null;
  chatId?: number | null;
  actorKind: 'moderator' | 'member' | 'system' | 'roster';
  actorAccountId?: number | null;
  actorName?: string | null;
  action: AuditAction;
  targetAccountId?: number | null;
  ruleNumber?: number | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export function createAuditRepository(ex: Executor) {
  return {
    async append(entry: AuditEntry): Promise<void> {
      await ex.insert(auditLog).values({
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
      });
    },

    async recent(chatId: number, limit: number) {
      return ex
        .select()
        .from(auditLog)
        .where(eq(auditLog.chatId, chatId))
        .orderBy(desc(auditLog.id))
        .limit(limit);
    },
  };
}
