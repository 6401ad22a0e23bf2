import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { accounts, chats, schoolAttachments } from '../schema.js';
import type { AttachmentStatus } from '../tables/attachments.js';

export type AttachmentRow = typeof schoolAttachments.$inferSelect;

/** Chats' requests to belong to a school, and the school's answers. */
export function createAttachmentsRepository(ex: Executor) {
  return {
    /** The chat's open request, if any (one at a time). */
    async pendingOfChat(chatId: number): Promise<AttachmentRow | undefined> {
      const [row] = await ex
        .select()
        .from(schoolAttachments)
        .where(and(eq(schoolAttachments.chatId, chatId), eq(schoolAttachments.status, 'pending')));
      return row;
    },

    async request(values: {
      schoolId: number;
      chatId: number;
      requestedByAccountId: number | null;
      at: Date;
    }) {
      const [row] = await ex
        .insert(schoolAttachments)
        .values({
          schoolId: values.schoolId,
          chatId: values.chatId,
          requestedByAccountId: values.requestedByAccountId,
          status: 'pending',
          requestedAt: values.at,
        })
        .returning();
      if (!row) throw new Error('attachment insert returned nothing');
      return row;
    },

    /** Ends a request still pending; returns it, or nothing when it was already answered. */
    async decide(id: number, status: Exclude<AttachmentStatus, 'pending'>, at: Date) {
      const [row] = await ex
        .update(schoolAttachments)
        .set({ status, decidedAt: at })
        .where(and(eq(schoolAttachments.id, id), eq(schoolAttachments.status, 'pending')))
        .returning();
      return row;
    },

    async byId(id: number): Promise<AttachmentRow | undefined> {
      const [row] = await ex.select().from(schoolAttachments).where(eq(schoolAttachments.id, id));
      return row;
    },

    /** A school's open requests, oldest first, with the chat and who asked. */
    async pendingOfSchool(schoolId: number) {
      return ex
        .select({
          id: schoolAttachments.id,
          requestedAt: schoolAttachments.requestedAt,
          chatId: chats.id,
          platform: chats.platform,
          title: chats.title,
          requestedBy: accounts,
        })
        .from(schoolAttachments)
        .innerJoin(chats, eq(chats.id, schoolAttachments.chatId))
        .leftJoin(accounts, eq(accounts.id, schoolAttachments.requestedByAccountId))
        .where(and(eq(schoolAttachments.schoolId, schoolId), eq(schoolAttachments.status, 'pending')))
        .orderBy(asc(schoolAttachments.requestedAt), asc(schoolAttachments.id));
    },
  };
}
