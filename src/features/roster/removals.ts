import type { Tx } from '../../db/client.js';
import {
  type AccountRecord,
  createAccountsRepository,
  createAdminsRepository,
  createMembersRepository,
} from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { type ChatRecord, createChatsRepository } from '../../db/repos/chats.js';
import { createRosterRepository } from '../../db/repos/roster.js';
import type { Translate } from '../../i18n/index.js';
import type { Removal } from '../../moderation/departures.js';
import { type ActionError, outcome } from '../../outbox/outcomes.js';
import type { OutcomeHandlers } from '../../outbox/worker.js';
import { chatAddress, displayName } from '../../runtime/format.js';
import { moderatorsStartLine, tellModeratorsPrivately } from '../../runtime/privately.js';
import type { Services, Work } from '../../runtime/services.js';

/**
 * Removals (regulation 4.13.8): each departure's removal from a chat is a durable ban in the outbox,
 * audited with the roster event that caused it; each chat gets one summary per batch (a count; the
 * names go to its moderators privately).
 */

/** A removal decided, with the roster event that caused it. */
export interface Decided extends Removal {
  rosterEventId: number;
}

/** Someone the roster says must go whom the bot cannot remove: a chat administrator. */
export interface NeedsAttention {
  chat: { id: number; title: string };
  person: { kind: string; id: string };
}

/**
 * Schedules the removals; administrators cannot be removed by the bot (4.13.8 asks the moderator): they
 * are returned as needing attention, and the chat's other administrators are told privately.
 */
export async function scheduleRemovals(
  services: Services,
  work: Work,
  school: number,
  decided: Decided[],
): Promise<{ scheduled: number; needsAttention: NeedsAttention[] }> {
  const needsAttention: NeedsAttention[] = [];
  if (decided.length === 0) return { scheduled: 0, needsAttention };
  const repo = createRosterRepository(work.tx);
  const chatIds = [...new Set(decided.map((removal) => removal.chatId))];
  const accountIds = [...new Set(decided.map((removal) => removal.accountId))];
  const chatById = new Map(
    (await createChatsRepository(work.tx, services.deps.defaultLanguage).byIds(chatIds)).map((chat) => [
      chat.id,
      chat,
    ]),
  );
  const accountById = new Map(
    (await createAccountsRepository(work.tx).byIds(accountIds)).map((account) => [account.id, account]),
  );
  const isAdmin = await createAdminsRepository(work.tx).adminPairs(chatIds);
  const batch = `${school}:${work.now.getTime()}:${Math.random().toString(36).slice(2, 8)}`;
  const seen = new Set<string>();
  let scheduled = 0;
  for (const removal of decided) {
    const key = `${removal.chatId}:${removal.accountId}`;
    const chat = chatById.get(removal.chatId);
    const account = accountById.get(removal.accountId);
    if (seen.has(key) || !chat || !account) continue;
    seen.add(key);
    if (isAdmin.has(key)) {
      const person = await repo.person(removal.personId);
      needsAttention.push({
        chat: { id: chat.id, title: chat.title },
        person: { kind: person?.kind ?? '', id: person?.externalId ?? '' },
      });
      await tellAdmins(services, work, chat, account);
      continue;
    }
    // Already removed people stay removed.
    if (await repo.removedFrom(removal.chatId, removal.accountId)) continue;
    const row = await repo.insertRemoval({
      schoolId: school,
      chatId: removal.chatId,
      accountId: removal.accountId,
      personId: removal.personId,
      causeStudentId: removal.causeStudentId ?? null,
      rosterEventId: removal.rosterEventId,
      batch,
      reason: removal.reason,
      status: 'pending',
      createdAt: work.now,
    });
    await work.enqueue(
      { type: 'ban', chat: chatAddress(chat), userId: account.platformUserId },
      {
        chatId: chat.id,
        onDone: outcome('roster.removal', { removalId: row.id }),
        onFailed: outcome('roster.removal', { removalId: row.id }),
      },
    );
    scheduled += 1;
  }
  return { scheduled, needsAttention };
}

/** An administrator the roster says left: the chat's other administrators are told privately. */
async function tellAdmins(services: Services, work: Work, chat: ChatRecord, departed: AccountRecord) {
  const render = (t: Translate) =>
    t('roster.admin_departed', { name: displayName(departed), title: chat.title });
  await tellModeratorsPrivately(services, work, chat, render, { except: departed.id });
}

/** Re-enrolment: the bans the person's (or their child's) departure caused are lifted. */
export async function liftRemovals(services: Services, work: Work, personIds: number[]): Promise<number> {
  const repo = createRosterRepository(work.tx);
  let lifted = 0;
  for (const personId of personIds) {
    for (const removal of await repo.liftableRemovals(personId)) {
      const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(removal.chatId);
      const account = await createAccountsRepository(work.tx).byId(removal.accountId);
      if (!chat || !account) continue;
      await repo.updateRemoval(removal.id, { status: 'lifted' });
      await work.enqueue(
        { type: 'unban', chat: chatAddress(chat), userId: account.platformUserId },
        { chatId: chat.id },
      );
      await createAuditRepository(work.tx).append({
        at: work.now,
        schoolId: removal.schoolId,
        chatId: chat.id,
        actorKind: 'roster',
        action: 'removal_lifted',
        targetAccountId: account.id,
        details: { removalId: removal.id, personId },
      });
      lifted += 1;
    }
  }
  return lifted;
}

/**
 * Once every removal of a batch in a chat has an outcome, the chat gets one summary: a neutral count.
 * The names go to the chat's moderators privately (privacy in class chats).
 */
async function summarise(services: Services, work: Work, batch: string, chatId: number): Promise<void> {
  const rows = await createRosterRepository(work.tx).batchRemovals(batch, chatId);
  if (rows.some((row) => row.status === 'pending')) return;
  const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(chatId);
  if (!chat) return;
  const people = await createAccountsRepository(work.tx).byIds(rows.map((row) => row.accountId));
  const nameOf = new Map(people.map((row) => [row.id, displayName(row)]));
  const done = rows.filter((row) => row.status === 'done');
  const failed = rows.filter((row) => row.status === 'failed');
  if (done.length === 0 && failed.length === 0) return;
  const names = (list: typeof rows) => list.map((row) => nameOf.get(row.accountId) ?? '—').join(', ');
  const summary = (t: Translate, named: boolean) => {
    const why = failed[0]?.error === 'NOT_ENOUGH_RIGHTS' ? t('block.why_rights') : t('block.why_refused');
    const lines: string[] = [];
    if (done.length > 0) {
      lines.push(
        named
          ? t('roster.removed_summary', { names: names(done) })
          : t('roster.removed_count', { count: done.length }),
      );
    }
    if (failed.length > 0) {
      lines.push(
        named
          ? t('roster.failed_summary', { names: names(failed), why })
          : t('roster.failed_count', { count: failed.length, why }),
      );
    }
    return lines.join('\n');
  };
  const told = await tellModeratorsPrivately(
    services,
    work,
    chat,
    (t) => `${t('privacy.from_chat', { title: chat.title })}\n${summary(t, true)}`,
  );
  const t = services.texts.t(chat.settings.language);
  const text = told > 0 ? summary(t, false) : `${summary(t, false)}\n${moderatorsStartLine(services, chat)}`;
  await work.enqueue({ type: 'send', chat: chatAddress(chat), text }, { chatId });
}

/** A removal reached the platform (or finally failed): recorded, audited, and summarised per chat. */
export function removalOutcomes(services: Services): Pick<OutcomeHandlers, 'roster.removal'> {
  const record = async (work: Work, removalId: number, result: 'done' | 'failed', error?: ActionError) => {
    const repo = createRosterRepository(work.tx);
    const removal = await repo.removal(removalId);
    if (removal?.status !== 'pending') return;
    await repo.updateRemoval(removal.id, { status: result, doneAt: work.now, error: error?.code ?? null });
    if (result === 'done') {
      await createMembersRepository(work.tx).markGone(removal.chatId, removal.accountId, 'kicked', work.now);
    }
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId: removal.schoolId,
      chatId: removal.chatId,
      actorKind: 'roster',
      action: result === 'done' ? 'removed' : 'removal_failed',
      targetAccountId: removal.accountId,
      reason: removal.reason,
      details: {
        removalId: removal.id,
        rosterEventId: removal.rosterEventId,
        personId: removal.personId,
        ...(error ? { error: error.message } : {}),
      },
    });
    await summarise(services, work, removal.batch, removal.chatId);
  };
  return {
    'roster.removal': {
      done: (work, args) => record(work, args.removalId, 'done'),
      failed: (work, args, error) => record(work, args.removalId, 'failed', error),
    },
  };
}

/** Whether the roster removed this account from this chat (its join requests are declined). */
export async function removedByRoster(tx: Tx, chatId: number, accountId: number): Promise<boolean> {
  return createRosterRepository(tx).removedFrom(chatId, accountId);
}
