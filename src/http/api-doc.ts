import type { z } from 'zod';
import {
  EraseRequest,
  PrivacyRequest,
  RetentionRequest,
  SubjectParams,
} from '../features/personal-data/index.js';
import { EventsBatchSchema, SnapshotSchema } from '../features/roster/index.js';
import {
  ActResult,
  ActsResult,
  AttachmentDecisionResult,
  AttachmentsResult,
  EraseResult,
  EventsResult,
  ExportResult,
  InvitationRequest,
  InvitationResult,
  NumericId,
  PrivacyResult,
  RetentionResult,
  SchoolCodeResult,
  SnapshotResult,
  StatsResult,
} from './api-schemas.js';

/**
 * The school API's routes as the OpenAPI document describes them, with the very zod schemas the routes
 * validate with (a request body, a path parameter) and the ones their answers follow. A test checks that
 * this list and the routes registered on the app are the same.
 */

export const BODY_LIMITS = { events: 1024 * 1024, snapshot: 4 * 1024 * 1024, small: 16 * 1024 };

interface Param {
  schema: z.ZodType;
  description: string;
  example: string;
}

export interface ApiRoute {
  method: 'get' | 'post' | 'put';
  /** Hono's pattern, e.g. `/api/v1/acts/:id`. */
  path: string;
  tag: 'Roster' | 'School' | 'Personal data' | 'Reference';
  summary: string;
  description?: string;
  /** Open to anyone (the reference itself); every other route needs the school's token. */
  public?: true;
  params?: Record<string, Param>;
  body?: { schema: z.ZodType; example: unknown; maxBytes: number };
  ok: { status: 200 | 201; description: string; schema?: z.ZodType; contentType?: string };
  /** Refusals particular to the route (401, 413, 415 and the body's 400 are added for every route that has them). */
  refusals?: { 400?: string; 404?: string };
}

const numericId = (what: string): Param => ({ schema: NumericId, description: what, example: '1' });
const person = {
  kind: { schema: SubjectParams.kind, description: 'who the school knows the person as', example: 'student' },
  id: { schema: SubjectParams.id, description: "the school's id of the person", example: 'S-101' },
};
const account = {
  platform: { schema: SubjectParams.platform, description: 'the messenger', example: 'telegram' },
  id: {
    schema: SubjectParams.accountId,
    description: "the account's id on the messenger",
    example: '123456789',
  },
};
const NO_SUCH_PERSON = 'no such person in this school';
const ERASE_EXAMPLE = { reason: 'заявление родителя от 1 сентября 2026 г.', requestedBy: 'директор школы' };
const ERASE_DESCRIPTION =
  'Destroys the personal data of a person (or an account no roster person has) and writes an act of ' +
  'destruction (152-ФЗ); a second request returns the first act.';

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/api/v1/roster/events',
    tag: 'Roster',
    summary: 'Apply roster events (enrolments, transfers, departures)',
    description:
      'Events are applied all or none: one invalid event (its shape, an id repeated in the batch, a person ' +
      'the roster does not have) refuses the batch with each problem and its index. An event whose id was ' +
      'applied before is skipped and listed in `duplicates`. Departures schedule removals from the chats.',
    body: {
      schema: EventsBatchSchema,
      maxBytes: BODY_LIMITS.events,
      example: {
        events: [
          {
            id: 'ev-2026-0901-1',
            type: 'student.enrolled',
            studentId: 'S-101',
            classCode: '7Б',
            name: 'Анна С.',
          },
          { id: 'ev-2026-0901-2', type: 'guardian.linked', guardianId: 'G-201', studentId: 'S-101' },
          { id: 'ev-2026-0901-3', type: 'staff.hired', staffId: 'T-301', name: 'Ирина П.' },
        ],
      },
    },
    ok: { status: 200, description: 'the batch was applied', schema: EventsResult },
  },
  {
    method: 'put',
    path: '/api/v1/roster',
    tag: 'Roster',
    summary: 'Replace the roster with a full snapshot',
    description:
      'The bot works out the events that turn the roster it has into this one and applies them; an invalid ' +
      'snapshot changes nothing.',
    body: {
      schema: SnapshotSchema,
      maxBytes: BODY_LIMITS.snapshot,
      example: {
        students: [{ id: 'S-101', classCode: '7Б', name: 'Анна С.' }],
        guardians: [{ id: 'G-201', studentIds: ['S-101'] }],
        staff: [{ id: 'T-301', name: 'Ирина П.' }],
      },
    },
    ok: { status: 200, description: 'the snapshot was applied', schema: SnapshotResult },
  },
  {
    method: 'get',
    path: '/api/v1/stats',
    tag: 'School',
    summary: 'Per-chat statistics for the director (regulation 4.11.2)',
    ok: { status: 200, description: "the school's chats with their counts", schema: StatsResult },
  },
  {
    method: 'post',
    path: '/api/v1/invitations',
    tag: 'Roster',
    summary: 'A personal invitation for a person in the roster',
    body: {
      schema: InvitationRequest,
      maxBytes: BODY_LIMITS.small,
      example: { kind: 'guardian', id: 'G-201' },
    },
    ok: { status: 201, description: 'the invitation (single use, it expires)', schema: InvitationResult },
    refusals: { 404: "no such person in this school's roster" },
  },
  {
    method: 'get',
    path: '/api/v1/attachments',
    tag: 'School',
    summary: 'Pending requests of chats to join the school',
    description:
      'A chat asks with `/settings school <code>`; it belongs to the school once the school confirms.',
    ok: { status: 200, description: 'the open requests', schema: AttachmentsResult },
  },
  ...(['confirm', 'reject'] as const).map(
    (decision): ApiRoute => ({
      method: 'post',
      path: `/api/v1/attachments/:id/${decision}`,
      tag: 'School',
      summary: `${decision === 'confirm' ? 'Confirm' : 'Reject'} a chat's request to join the school`,
      params: { id: numericId('the request, from GET /api/v1/attachments') },
      ok: {
        status: 200,
        description: '`already` when the request was answered before (that answer stands)',
        schema: AttachmentDecisionResult,
      },
      refusals: { 400: 'the id is not a number', 404: 'no such request for this school' },
    }),
  ),
  {
    method: 'post',
    path: '/api/v1/school/code',
    tag: 'School',
    summary: 'A new code for chats to ask to join (the old one stops working)',
    ok: { status: 200, description: 'the new code', schema: SchoolCodeResult },
  },
  {
    method: 'get',
    path: '/api/v1/people/account/:platform/:id/data',
    tag: 'Personal data',
    summary: "Export an account's personal data",
    params: account,
    ok: { status: 200, description: 'every record of the account', schema: ExportResult },
    refusals: { 400: 'a malformed platform or id', 404: NO_SUCH_PERSON },
  },
  {
    method: 'get',
    path: '/api/v1/people/:kind/:id/data',
    tag: 'Personal data',
    summary: "Export a person's personal data",
    params: person,
    ok: {
      status: 200,
      description: "every record of the person and the person's accounts",
      schema: ExportResult,
    },
    refusals: { 400: 'a malformed kind or id', 404: NO_SUCH_PERSON },
  },
  {
    method: 'post',
    path: '/api/v1/people/account/:platform/:id/erase',
    tag: 'Personal data',
    summary: "Erase an account's personal data",
    description: ERASE_DESCRIPTION,
    params: account,
    body: { schema: EraseRequest, maxBytes: BODY_LIMITS.small, example: ERASE_EXAMPLE },
    ok: { status: 200, description: 'the act of destruction', schema: EraseResult },
    refusals: { 400: 'a malformed platform or id', 404: NO_SUCH_PERSON },
  },
  {
    method: 'post',
    path: '/api/v1/people/:kind/:id/erase',
    tag: 'Personal data',
    summary: "Erase a person's personal data",
    description: ERASE_DESCRIPTION,
    params: person,
    body: { schema: EraseRequest, maxBytes: BODY_LIMITS.small, example: ERASE_EXAMPLE },
    ok: { status: 200, description: 'the act of destruction', schema: EraseResult },
    refusals: { 400: 'a malformed kind or id', 404: NO_SUCH_PERSON },
  },
  {
    method: 'get',
    path: '/api/v1/acts',
    tag: 'Personal data',
    summary: "The school's acts of destruction",
    ok: { status: 200, description: 'the acts, newest first', schema: ActsResult },
  },
  {
    method: 'get',
    path: '/api/v1/acts/:id',
    tag: 'Personal data',
    summary: 'One act of destruction, with its text',
    params: { id: numericId('the act') },
    ok: { status: 200, description: 'the act', schema: ActResult },
    refusals: { 400: 'the id is not a number', 404: 'no such act for this school' },
  },
  {
    method: 'get',
    path: '/api/v1/retention',
    tag: 'Personal data',
    summary: 'Retention periods: as set by the school, in effect, and the defaults',
    ok: { status: 200, description: 'the periods in days', schema: RetentionResult },
  },
  {
    method: 'put',
    path: '/api/v1/retention',
    tag: 'Personal data',
    summary: 'Set retention periods (null: back to the default; a field left out stays as it is)',
    body: {
      schema: RetentionRequest,
      maxBytes: BODY_LIMITS.small,
      example: { strikeDays: 180, departedDays: null },
    },
    ok: { status: 200, description: 'the periods now', schema: RetentionResult },
  },
  {
    method: 'get',
    path: '/api/v1/privacy',
    tag: 'Personal data',
    summary: "The school's privacy notice shown in its chats",
    ok: { status: 200, description: 'the notice, or null when there is none', schema: PrivacyResult },
  },
  {
    method: 'put',
    path: '/api/v1/privacy',
    tag: 'Personal data',
    summary: "Set the school's privacy notice (null removes it)",
    body: {
      schema: PrivacyRequest,
      maxBytes: BODY_LIMITS.small,
      example: {
        text: 'Школа обрабатывает персональные данные участников чата по политике: school.example/privacy',
      },
    },
    ok: { status: 200, description: 'the notice now', schema: PrivacyResult },
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    tag: 'Reference',
    summary: 'This document (OpenAPI 3.1)',
    public: true,
    ok: { status: 200, description: 'the document', contentType: 'application/json' },
  },
  {
    method: 'get',
    path: '/api/v1/docs',
    tag: 'Reference',
    summary: 'This document as a readable page',
    public: true,
    ok: { status: 200, description: 'the page', contentType: 'text/html' },
  },
  {
    method: 'get',
    path: '/api/v1/docs.css',
    tag: 'Reference',
    summary: "The page's style sheet",
    public: true,
    ok: { status: 200, description: 'the style sheet', contentType: 'text/css' },
  },
];
