import { and, count, countDistinct, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { createRosterRepository } from '../db/repos/roster.js';
import { acceptances, blocks, chatMembers, chats, removals, strikes, votes } from '../db/schema.js';
import { createInvitation, deepLink } from '../features/roster/invitations.js';
import {
  applyRosterEvents,
  type RosterEvent,
  SnapshotSchema,
  snapshotEvents,
  snapshotProblems,
  validateEvents,
} from '../features/roster/roster.js';
import { readSettings } from '../moderation/settings.js';
import type { Core } from '../runtime/services.js';
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

function withSchool(core: Core, handler: Authed, options: { json: boolean }) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const schoolId = token ? await createRosterRepository(core.db).schoolForToken(token) : undefined;
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

async function known(core: Core, schoolId: number) {
  const snapshot = await createRosterRepository(core.db).loadSnapshot(schoolId, core.deps.defaultLanguage);
  return (kind: 'student' | 'guardian' | 'staff', id: string) => snapshot.byExternal.has(`${kind}:${id}`);
}

const InvitationRequest = z.object({
  kind: z.enum(['student', 'guardian', 'staff'], { message: "must be 'student', 'guardian' or 'staff'" }),
  id: z.string({ message: 'must be a string' }).trim().min(1).max(64),
});

/** Per-chat counts of one school for the director (4.11.2). */
async function schoolStats(core: Core, schoolId: number) {
  const db = core.db;
  const school = await createRosterRepository(db).school(schoolId);
  const rows = await db.select().from(chats).where(eq(chats.schoolId, schoolId)).orderBy(chats.id);
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return { school: { id: schoolId, name: school?.name ?? '' }, chats: [] };
  const grouped = async <T extends Record<string, unknown>>(query: Promise<Array<T & { chatId: number }>>) =>
    new Map((await query).map((row) => [row.chatId, row]));
  const members = await grouped(
    db
      .select({ chatId: chatMembers.chatId, n: count() })
      .from(chatMembers)
      .where(and(inArray(chatMembers.chatId, ids), inArray(chatMembers.status, ['member', 'restricted'])))
      .groupBy(chatMembers.chatId),
  );
  const accepted = await grouped(
    db
      .select({ chatId: acceptances.chatId, n: countDistinct(acceptances.accountId) })
      .from(acceptances)
      .where(inArray(acceptances.chatId, ids))
      .groupBy(acceptances.chatId),
  );
  const strikeCounts = await grouped(
    db
      .select({ chatId: strikes.chatId, n: count(), revoked: sql<number>`count(${strikes.revokedAt})::int` })
      .from(strikes)
      .where(inArray(strikes.chatId, ids))
      .groupBy(strikes.chatId),
  );
  const blockCounts = await grouped(
    db
      .select({
        chatId: blocks.chatId,
        total: sql<number>`count(*) filter (where ${blocks.status} <> 'failed')::int`,
        active: sql<number>`count(*) filter (where ${blocks.status} in ('active', 'lifting'))::int`,
      })
      .from(blocks)
      .where(inArray(blocks.chatId, ids))
      .groupBy(blocks.chatId),
  );
  const voteCounts = await grouped(
    db
      .select({
        chatId: votes.chatId,
        total: sql<number>`count(*)::int`,
        unblocked: sql<number>`count(*) filter (where ${votes.outcome} = 'unblocked')::int`,
        kept: sql<number>`count(*) filter (where ${votes.outcome} = 'kept')::int`,
        open: sql<number>`count(*) filter (where ${votes.status} = 'open')::int`,
      })
      .from(votes)
      .where(inArray(votes.chatId, ids))
      .groupBy(votes.chatId),
  );
  const removalCounts = await grouped(
    db
      .select({
        chatId: removals.chatId,
        done: sql<number>`count(*) filter (where ${removals.status} = 'done')::int`,
        pending: sql<number>`count(*) filter (where ${removals.status} = 'pending')::int`,
        failed: sql<number>`count(*) filter (where ${removals.status} = 'failed')::int`,
      })
      .from(removals)
      .where(inArray(removals.chatId, ids))
      .groupBy(removals.chatId),
  );
  return {
    school: { id: schoolId, name: school?.name ?? '' },
    chats: rows.map((row) => {
      const settings = readSettings(row.settings, core.deps.defaultLanguage);
      const n = (value: unknown) => Number(value ?? 0);
      const strike = strikeCounts.get(row.id);
      const block = blockCounts.get(row.id);
      const vote = voteCounts.get(row.id);
      const removal = removalCounts.get(row.id);
      return {
        id: row.id,
        platform: row.platform,
        title: row.title,
        class: settings.class,
        kind: settings.kind,
        botStatus: row.botStatus,
        members: n(members.get(row.id)?.n),
        acceptances: n(accepted.get(row.id)?.n),
        strikes: { issued: n(strike?.n), revoked: n(strike?.revoked) },
        blocks: { active: n(block?.active), total: n(block?.total) },
        votes: {
          total: n(vote?.total),
          open: n(vote?.open),
          unblocked: n(vote?.unblocked),
          kept: n(vote?.kept),
        },
        removals: { done: n(removal?.done), pending: n(removal?.pending), failed: n(removal?.failed) },
      };
    }),
  };
}

export function apiRoutes(core: Core, botUsername: () => string | undefined): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/roster/events',
      bodyLimit: EVENTS_LIMIT,
      handle: withSchool(
        core,
        async (_request, schoolId, body) => {
          const validation = validateEvents(body, await known(core, schoolId));
          if (!validation.ok) return problem(400, validation.message, { problems: validation.problems });
          const result = await applyRosterEvents(core, schoolId, validation.events, 'events');
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
        core,
        async (_request, schoolId, body) => {
          const parsed = SnapshotSchema.safeParse(body);
          if (!parsed.success)
            return problem(400, 'the roster is invalid; nothing was applied', {
              problems: snapshotProblems(parsed.error, body),
            });
          const events: RosterEvent[] = await snapshotEvents(
            core,
            schoolId,
            parsed.data,
            `snapshot:${core.clock.now().getTime()}`,
          );
          const result =
            events.length > 0 ? await applyRosterEvents(core, schoolId, events, 'snapshot') : undefined;
          return {
            status: 200,
            body: {
              changes: events.length,
              applied: result?.applied ?? 0,
              removals: result?.removals ?? 0,
              reinstated: result?.reinstated ?? 0,
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
        core,
        async (_request, schoolId) => ({ status: 200, body: await schoolStats(core, schoolId) }),
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
        core,
        async (_request, schoolId, body) => {
          const parsed = InvitationRequest.safeParse(body);
          if (!parsed.success)
            return problem(400, 'the request is invalid', { problems: snapshotProblems(parsed.error, body) });
          const [person] = await createRosterRepository(core.db).findPersons(
            schoolId,
            parsed.data.id,
            parsed.data.kind,
          );
          if (!person)
            return problem(404, `no ${parsed.data.kind} "${parsed.data.id}" in this school's roster`);
          const invitation = await createInvitation(core, core.db, schoolId, person);
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
