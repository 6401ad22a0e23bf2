import { Hono, type MiddlewareHandler } from 'hono';
import { createChatsRepository } from '../db/repos/chats.js';
import { createRosterRepository } from '../db/repos/roster.js';
import { createStatsRepository } from '../db/repos/stats.js';
import {
  applyRosterEvents,
  createInvitation,
  deepLink,
  describeIssues,
  type RosterEvent,
  SnapshotSchema,
  snapshotEvents,
  validateEvents,
} from '../features/roster/index.js';
import { decideAttachment, pendingAttachments, rotateSchoolCode } from '../features/schools/index.js';
import type { Services } from '../runtime/services.js';
import { BODY_LIMITS } from './api-doc.js';
import { apiReferenceRoutes } from './api-reference.js';
import { InvitationRequest, NumericId } from './api-schemas.js';
import { expectJson, limitBody, readJson } from './body.js';
import { type HttpEnv, json, problem, unread } from './context.js';
import { personalDataRoutes } from './personal-data.js';

/**
 * The school's API (SPEC.md "Roster"): roster events, full snapshots, statistics for the director and
 * personal invitations. Every request carries `Authorization: Bearer <school token>`; a token reaches
 * only its own school's data. Each route is described in api-doc.ts, from which the OpenAPI document at
 * `/api/v1/openapi.json` and the page at `/api/v1/docs` are made.
 */

const EVENTS_LIMIT = BODY_LIMITS.events;
const SNAPSHOT_LIMIT = BODY_LIMITS.snapshot;
const INVITATION_LIMIT = BODY_LIMITS.small;

/** The API's routes also know the school whose token the request carries. */
type ApiEnv = { Bindings: HttpEnv['Bindings']; Variables: HttpEnv['Variables'] & { schoolId: number } };

/**
 * 401 unless `Authorization: Bearer <token>` is a valid school token; decided from the headers alone, so
 * a refused request's body is never read (and its connection closes if one was on its way).
 */
function schoolAuth(services: Services): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const schoolId = token ? await createRosterRepository(services.db).schoolForToken(token) : undefined;
    if (schoolId === undefined) {
      return problem(
        c,
        401,
        'a valid school token is required: Authorization: Bearer <token>',
        {},
        { 'www-authenticate': 'Bearer', ...unread(c) },
      );
    }
    c.set('schoolId', schoolId);
    return next();
  };
}

async function known(services: Services, schoolId: number) {
  const snapshot = await createRosterRepository(services.db).loadSnapshot(
    schoolId,
    services.deps.defaultLanguage,
  );
  return (kind: 'student' | 'guardian' | 'staff', id: string) => snapshot.byExternal.has(`${kind}:${id}`);
}

/** Per-chat counts of one school for the director (4.11.2). */
async function schoolStats(services: Services, schoolId: number) {
  const db = services.db;
  const school = await createRosterRepository(db).school(schoolId);
  const chats = await createChatsRepository(db, services.deps.defaultLanguage).ofSchool(schoolId);
  const counts = await createStatsRepository(db).countsByChat(chats.map((chat) => chat.id));
  return {
    school: { id: schoolId, name: school?.name ?? '' },
    chats: chats.map((chat) => {
      const { acceptances, members, strikes, blocks, votes, removals } = counts.get(chat.id) ?? EMPTY_COUNTS;
      return {
        id: chat.id,
        platform: chat.platform,
        title: chat.title,
        class: chat.settings.class,
        kind: chat.settings.kind,
        botStatus: chat.botStatus,
        members,
        acceptances,
        strikes,
        blocks,
        votes,
        removals,
      };
    }),
  };
}

const EMPTY_COUNTS = {
  members: 0,
  acceptances: 0,
  strikes: { issued: 0, revoked: 0 },
  blocks: { active: 0, total: 0 },
  votes: { total: 0, open: 0, unblocked: 0, kept: 0 },
  removals: { done: 0, pending: 0, failed: 0 },
};

/** The school's API as a Hono sub-app; each JSON route reads its body only after the token and the type. */
export function apiRoutes(services: Services, botUsername: () => string | undefined): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  const school = schoolAuth(services);

  api.post('/api/v1/roster/events', school, expectJson, limitBody(EVENTS_LIMIT), readJson(), async (c) => {
    const schoolId = c.var.schoolId;
    const validation = validateEvents(c.var.json, await known(services, schoolId));
    if (!validation.ok) return problem(c, 400, validation.message, { problems: validation.problems });
    const result = await applyRosterEvents(services, schoolId, validation.events, 'events');
    return json(c, 200, { ...result });
  });

  api.put('/api/v1/roster', school, expectJson, limitBody(SNAPSHOT_LIMIT), readJson(), async (c) => {
    const schoolId = c.var.schoolId;
    const body = c.var.json;
    const parsed = SnapshotSchema.safeParse(body);
    if (!parsed.success) {
      return problem(c, 400, 'the roster is invalid; nothing was applied', {
        problems: describeIssues(parsed.error, body),
      });
    }
    const events: RosterEvent[] = await snapshotEvents(
      services,
      schoolId,
      parsed.data,
      `snapshot:${services.clock.now().getTime()}`,
    );
    const result =
      events.length > 0 ? await applyRosterEvents(services, schoolId, events, 'snapshot') : undefined;
    return json(c, 200, {
      changes: events.length,
      applied: result?.applied ?? 0,
      removals: result?.removals ?? 0,
      reinstated: result?.reinstated ?? 0,
      needsAttention: result?.needsAttention ?? [],
    });
  });

  api.get('/api/v1/stats', school, async (c) => json(c, 200, await schoolStats(services, c.var.schoolId)));

  api.post('/api/v1/invitations', school, expectJson, limitBody(INVITATION_LIMIT), readJson(), async (c) => {
    const schoolId = c.var.schoolId;
    const body = c.var.json;
    const parsed = InvitationRequest.safeParse(body);
    if (!parsed.success) {
      return problem(c, 400, 'the request is invalid', { problems: describeIssues(parsed.error, body) });
    }
    const [person] = await createRosterRepository(services.db).findPersons(
      schoolId,
      parsed.data.id,
      parsed.data.kind,
    );
    if (!person) return problem(c, 404, `no ${parsed.data.kind} "${parsed.data.id}" in this school's roster`);
    const invitation = await createInvitation(services, services.db, schoolId, person);
    return json(c, 201, {
      code: invitation.code,
      link: deepLink(botUsername(), invitation.code),
      expiresAt: invitation.expiresAt.toISOString(),
    });
  });

  // A chat belongs to the school once the school confirms its request (/settings school <code>).
  api.get('/api/v1/attachments', school, async (c) =>
    json(c, 200, { attachments: await pendingAttachments(services, c.var.schoolId) }),
  );
  for (const decision of ['confirm', 'reject'] as const) {
    api.post(`/api/v1/attachments/:id/${decision}`, school, async (c) => {
      const id = c.req.param('id');
      if (!NumericId.safeParse(id).success) return problem(c, 400, 'the attachment id must be a number');
      const { result } = await decideAttachment(services, c.var.schoolId, Number(id), decision);
      if (result === 'not_found') return problem(c, 404, `no attachment request ${id} for this school`);
      return json(c, 200, { id: Number(id), result });
    });
  }
  // A new code when the old one got around; requests already made stay for the school to answer.
  api.post('/api/v1/school/code', school, async (c) =>
    json(c, 200, { code: await rotateSchoolCode(services, c.var.schoolId) }),
  );
  personalDataRoutes(api, services, school);
  api.route('/', apiReferenceRoutes());

  return api;
}
