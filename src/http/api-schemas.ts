import { z } from 'zod';

/**
 * The school API's own schemas (the roster's and personal data's live with their features): what the
 * routes validate, and what they answer, for the OpenAPI document (api-doc.ts).
 */

export const InvitationRequest = z.object({
  kind: z.enum(['student', 'guardian', 'staff'], { message: "must be 'student', 'guardian' or 'staff'" }),
  id: z.string({ message: 'must be a string' }).trim().min(1).max(64),
});

/** An attachment request's or an act's id in a path. */
export const NumericId = z.string().regex(/^\d{1,9}$/);

/** Every refusal: a sentence, and for a body the problems field by field (or event by event). */
export const Problem = z.object({
  error: z.string(),
  problems: z
    .array(
      z.union([
        z.string(),
        z.object({ index: z.number(), id: z.string().optional(), problems: z.array(z.string()) }),
      ]),
    )
    .optional(),
});

const NeedsAttention = z.object({
  chat: z.object({ id: z.number(), title: z.string() }),
  person: z.object({ kind: z.string(), id: z.string() }),
});

export const EventsResult = z.object({
  applied: z.number().int(),
  duplicates: z.array(z.string()).meta({ description: 'ids of events applied before (left as they were)' }),
  removals: z.number().int(),
  reinstated: z.number().int(),
  needsAttention: z.array(NeedsAttention),
});

export const SnapshotResult = z.object({
  changes: z.number().int(),
  applied: z.number().int(),
  removals: z.number().int(),
  reinstated: z.number().int(),
  needsAttention: z.array(NeedsAttention),
});

const count = z.number().int();
export const StatsResult = z.object({
  school: z.object({ id: count, name: z.string() }),
  chats: z.array(
    z.object({
      id: count,
      platform: z.string(),
      title: z.string(),
      class: z.string().nullable(),
      kind: z.enum(['class', 'parents', 'staff']),
      botStatus: z.string(),
      members: count,
      acceptances: count,
      strikes: z.object({ issued: count, revoked: count }),
      blocks: z.object({ active: count, total: count }),
      votes: z.object({ total: count, open: count, unblocked: count, kept: count }),
      removals: z.object({ done: count, pending: count, failed: count }),
    }),
  ),
});

export const InvitationResult = z.object({
  code: z.string(),
  link: z.string().meta({
    description:
      "the bot's deep link (https://t.me/<bot>?start=<code>), or the code when the bot's name is unknown",
  }),
  expiresAt: z.iso.datetime(),
});

export const AttachmentsResult = z.object({
  attachments: z.array(
    z.object({
      id: count,
      requestedAt: z.iso.datetime(),
      chat: z.object({ id: count, platform: z.string(), title: z.string() }),
      requestedBy: z.string().nullable(),
    }),
  ),
});

export const AttachmentDecisionResult = z.object({
  id: count,
  result: z.enum(['confirmed', 'rejected', 'already']),
});

export const SchoolCodeResult = z.object({ code: z.string() });

export const ExportResult = z.object({
  format: z.literal('class-chat-moderator/personal-data/1'),
  generatedAt: z.iso.datetime(),
  school: z.object({ id: count, name: z.string() }).nullable(),
  subject: z.object({ kind: z.string(), id: z.string() }).nullable(),
  records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
  chats: z.record(z.string(), z.string()),
});

export const Act = z.object({
  id: count,
  at: z.iso.datetime(),
  subject: z.object({ kind: z.string(), key: z.string() }),
  requestedBy: z.string(),
  reason: z.string(),
  destroyed: z.array(z.unknown()),
  kept: z.array(z.unknown()),
  logExtract: z.array(z.unknown()),
});

export const EraseResult = z.object({ result: z.enum(['erased', 'already']), act: Act });
export const ActsResult = z.object({ acts: z.array(Act) });
export const ActResult = Act.extend({
  text: z.string().meta({ description: 'the act as a document (Russian)' }),
});

const days = z.number().int().nullable();
const periods = z.object({ strikeDays: days, departedDays: days, auditDays: days });
export const RetentionResult = z.object({ set: periods, effective: periods, defaults: periods });
export const PrivacyResult = z.object({ text: z.string().nullable() });
