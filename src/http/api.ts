import { z } from 'zod';
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
import type { Services } from '../runtime/services.js';
import type { HttpRequest, HttpResponse, Route } from './server.js';

/**
 * The school's API (SPEC.md "Roster"): roster events, full snapshots, statistics for the director and
 * personal invitations. Every request carries `Authorization: Bearer <school token>`; a token reaches
 * only its own school's data.
 */

const EVENTS_LIMIT = 1024 * 1024;
const SNAPSHOT_LIMIT = 4 * 1024 * 1024;

type Authed = (request: HttpRequest, schoolId: number, body: unknown) => Promise<HttpResponse>;

function problem(status: number, error: string, extra: Record<string, unknown> = {}): HttpResponse {
  return { status, body: { error, ...extra } };
}

function withSchool(services: Services, handler: Authed, options: { json: boolean }) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const schoolId = token ? await createRosterRepository(services.db).schoolForToken(token) : undefined;
    if (schoolId === undefined) {
      return {
        ...problem(401, 'a valid school token is required: Authorization: Bearer <token>'),
        headers: { 'www-authenticate': 'Bearer' },
      };
    }
    if (!options.json) return handler(request, schoolId, undefined);
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (type !== 'application/json')
      return problem(415, 'the body must be JSON (Content-Type: application/json)');
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return problem(400, 'the body is not valid JSON');
    }
    return handler(request, schoolId, body);
  };
}

async function known(services: Services, schoolId: number) {
  const snapshot = await createRosterRepository(services.db).loadSnapshot(
    schoolId,
    services.deps.defaultLanguage,
  );
  return (kind: 'student' | 'guardian' | 'staff', id: string) => snapshot.byExternal.has(`${kind}:${id}`);
}

const InvitationRequest = z.object({
  kind: z.enum(['student', 'guardian', 'staff'], { message: "must be 'student', 'guardian' or 'staff'" }),
  id: z.string({ message: 'must be a string' }).trim().min(1).max(64),
});

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

export function apiRoutes(services: Services, botUsername: () => string | undefined): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/roster/events',
      bodyLimit: EVENTS_LIMIT,
      handle: withSchool(
        services,
        async (_request, schoolId, body) => {
          const validation = validateEvents(body, await known(services, schoolId));
          if (!validation.ok) return problem(400, validation.message, { problems: validation.problems });
          const result = await applyRosterEvents(services, schoolId, validation.events, 'events');
          return { status: 200, body: { ...result } };
        },
        { json: true },
      ),
    },
    {
      method: 'PUT',
      path: '/api/v1/roster',
      bodyLimit: SNAPSHOT_LIMIT,
      handle: withSchool(
        services,
        async (_request, schoolId, body) => {
          const parsed = SnapshotSchema.safeParse(body);
          if (!parsed.success)
            return problem(400, 'the roster is invalid; nothing was applied', {
              problems: describeIssues(parsed.error, body),
            });
          const events: RosterEvent[] = await snapshotEvents(
            services,
            schoolId,
            parsed.data,
            `snapshot:${services.clock.now().getTime()}`,
          );
          const result =
            events.length > 0 ? await applyRosterEvents(services, schoolId, events, 'snapshot') : undefined;
          return {
            status: 200,
            body: {
              changes: events.length,
              applied: result?.applied ?? 0,
              removals: result?.removals ?? 0,
              reinstated: result?.reinstated ?? 0,
              needsAttention: result?.needsAttention ?? [],
            },
          };
        },
        { json: true },
      ),
    },
    {
      method: 'GET',
      path: '/api/v1/stats',
      handle: withSchool(
        services,
        async (_request, schoolId) => ({ status: 200, body: await schoolStats(services, schoolId) }),
        {
          json: false,
        },
      ),
    },
    {
      method: 'POST',
      path: '/api/v1/invitations',
      bodyLimit: 16 * 1024,
      handle: withSchool(
        services,
        async (_request, schoolId, body) => {
          const parsed = InvitationRequest.safeParse(body);
          if (!parsed.success)
            return problem(400, 'the request is invalid', { problems: describeIssues(parsed.error, body) });
          const [person] = await createRosterRepository(services.db).findPersons(
            schoolId,
            parsed.data.id,
            parsed.data.kind,
          );
          if (!person)
            return problem(404, `no ${parsed.data.kind} "${parsed.data.id}" in this school's roster`);
          const invitation = await createInvitation(services, services.db, schoolId, person);
          return {
            status: 201,
            body: {
              code: invitation.code,
              link: deepLink(botUsername(), invitation.code),
              expiresAt: invitation.expiresAt.toISOString(),
            },
          };
        },
        { json: true },
      ),
    },
  ];
}
