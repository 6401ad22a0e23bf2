import { createAttachmentsRepository } from '../../db/repos/attachments.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createRosterRepository } from '../../db/repos/roster.js';
import { auditModeratorAction, type GroupContext } from '../../runtime/commands.js';
import { chatAddress, displayName } from '../../runtime/format.js';
import type { Services } from '../../runtime/services.js';
import { chatsRepo } from '../chats/chats.js';

/**
 * A chat joins a school only when the school says so. A moderator's `/settings school <code>` asks;
 * the school confirms or rejects through its API (or the CLI); until then the chat is not the school's:
 * not in its statistics, not served by its roster, not given its personal invitations.
 */

/** `/settings school <code>`: asks the school with that code to take the chat. */
export async function requestAttachment(ctx: GroupContext, code: string): Promise<void> {
  const { chat, work, t } = ctx;
  if (!code) return ctx.refuse(t('settings.missing_value', { key: 'school' }));
  const school = await createRosterRepository(work.tx).schoolByCode(code);
  if (!school) return ctx.refuse(t('settings.school_unknown', { code }));
  if (chat.schoolId === school.id) return ctx.refuse(t('settings.school_already', { school: school.name }));
  await chatsRepo(ctx.services, work).lock(chat.id);
  const attachments = createAttachmentsRepository(work.tx);
  const open = await attachments.pendingOfChat(chat.id);
  if (open?.schoolId === school.id) return ctx.refuse(t('settings.school_pending', { school: school.name }));
  if (open) await attachments.decide(open.id, 'withdrawn', work.now);
  const request = await attachments.request({
    schoolId: school.id,
    chatId: chat.id,
    requestedByAccountId: ctx.account?.id ?? null,
    at: work.now,
  });
  await auditModeratorAction(ctx, {
    schoolId: school.id,
    action: 'attachment_requested',
    details: { attachmentId: request.id, schoolId: school.id },
  });
  return ctx.reply(t('settings.school_requested', { school: school.name }));
}

export type AttachmentDecision = 'confirm' | 'reject';

/** A school's open requests, for its administrator (API, CLI). */
export async function pendingAttachments(services: Services, schoolId: number) {
  const rows = await createAttachmentsRepository(services.db).pendingOfSchool(schoolId);
  return rows.map((row) => ({
    id: row.id,
    requestedAt: row.requestedAt.toISOString(),
    chat: { id: row.chatId, platform: row.platform, title: row.title },
    requestedBy: row.requestedBy ? displayName(row.requestedBy) : null,
  }));
}

/**
 * The school's answer to a request. Returns what happened, or `not_found` for a request of another
 * school (no hint that it exists) and `already` for one answered before (the answer stands).
 */
export async function decideAttachment(
  services: Services,
  schoolId: number,
  attachmentId: number,
  decision: AttachmentDecision,
): Promise<{ result: 'confirmed' | 'rejected' | 'already' | 'not_found' }> {
  return services.transact(async (work) => {
    const attachments = createAttachmentsRepository(work.tx);
    const request = await attachments.byId(attachmentId);
    if (request?.schoolId !== schoolId) return { result: 'not_found' };
    const decided = await attachments.decide(
      request.id,
      decision === 'confirm' ? 'confirmed' : 'rejected',
      work.now,
    );
    if (!decided) return { result: 'already' };
    const chats = createChatsRepository(work.tx, services.deps.defaultLanguage);
    const chat = await chats.byId(request.chatId);
    const school = await createRosterRepository(work.tx).school(schoolId);
    if (!chat || !school) return { result: 'not_found' };
    if (decision === 'confirm') {
      await chats.setSchool(chat.id, schoolId, work.now);
      work.afterCommit(() => services.forgetChat(chat.platform, chat.platformChatId));
    }
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId,
      chatId: chat.id,
      actorKind: 'system',
      action: decision === 'confirm' ? 'attachment_confirmed' : 'attachment_rejected',
      details: { attachmentId: request.id, previousSchoolId: chat.schoolId },
    });
    const t = services.texts.t(chat.settings.language);
    const key = decision === 'confirm' ? 'settings.school_confirmed' : 'settings.school_rejected';
    await work.enqueue(
      { type: 'send', chat: chatAddress(chat), text: t(key, { school: school.name }) },
      { chatId: chat.id },
    );
    return { result: decision === 'confirm' ? 'confirmed' : 'rejected' };
  });
}

/** A new code for the school: the old one no longer lets anyone ask (requests already made stay). */
export async function rotateSchoolCode(services: Services, schoolId: number): Promise<string | undefined> {
  return createRosterRepository(services.db).rotateSchoolCode(schoolId);
}
