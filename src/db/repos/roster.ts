import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { ChatKind, Presence, RosterChat, RosterPerson } from '../../moderation/departures.js';
import { readSettings } from '../../moderation/settings.js';
import { type Executor, rowsOf, timestamp } from '../client.js';
import {
  chatMembers,
  chats,
  guardianships,
  invitations,
  personAccounts,
  persons,
  removals,
  rosterEvents,
  schools,
  schoolTokens,
} from '../schema.js';
import type { PersonKind, RosterSource } from '../tables/roster.js';

export type { PersonKind, RosterSource } from '../tables/roster.js';

import { UNKNOWN_STANDING } from './chats.js';

export type PersonRow = typeof persons.$inferSelect;
export type RemovalRow = typeof removals.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;

export interface LoadedPerson extends RosterPerson {
  externalId: string;
  name: string | null;
}

/** A school's roster as the departure policy needs it, plus lookups by the school's own ids. */
export interface RosterSnapshot {
  persons: Map<number, LoadedPerson>;
  byExternal: Map<string, number>;
  chats: RosterChat[];
  presence: Presence[];
}

export const externalKey = (kind: PersonKind, externalId: string) => `${kind}:${externalId}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Tokens look like `ccm_<id>_<secret>`; only a hash of the secret is stored. */
const TOKEN = /^ccm_(\d{1,9})_([A-Za-z0-9_-]{20,100})$/;

export function createRosterRepository(ex: Executor) {
  return {
    /** Serialises roster changes of one school across requests and replicas (for the transaction). */
    async lockSchool(id: number): Promise<void> {
      await ex.execute(sql`select pg_advisory_xact_lock(7557, ${id})`);
    },

    async school(id: number) {
      const [row] = await ex.select().from(schools).where(eq(schools.id, id));
      return row;
    },

    async schoolByCode(code: string) {
      const [row] = await ex.select().from(schools).where(eq(schools.code, code));
      return row;
    },

    async listSchools() {
      return ex.select().from(schools).orderBy(schools.id);
    },

    async createSchool(name: string, now: Date) {
      const code = randomBytes(6).toString('base64url');
      const [row] = await ex.insert(schools).values({ name, code, createdAt: now }).returning();
      if (!row) throw new Error('school insert returned nothing');
      return row;
    },

    /** A new code for the school; the old one stops working (for a code that got around). */
    async rotateSchoolCode(id: number): Promise<string | undefined> {
      const code = randomBytes(6).toString('base64url');
      const [row] = await ex
        .update(schools)
        .set({ code })
        .where(eq(schools.id, id))
        .returning({ id: schools.id });
      return row ? code : undefined;
    },

    async ensureSchoolCode(id: number): Promise<string> {
      const school = await this.school(id);
      if (school?.code) return school.code;
      const code = randomBytes(6).toString('base64url');
      await ex.update(schools).set({ code }).where(eq(schools.id, id));
      return code;
    },

    /** Creates an API token for a school and returns it; it is shown once and only its hash is kept. */
    async createToken(schoolId: number, label: string, now: Date): Promise<string> {
      const secret = randomBytes(32).toString('base64url');
      const [row] = await ex
        .insert(schoolTokens)
        .values({ schoolId, label, secretHash: sha256(secret).toString('hex'), createdAt: now })
        .returning({ id: schoolTokens.id });
      if (!row) throw new Error('token insert returned nothing');
      return `ccm_${row.id}_${secret}`;
    },

    async revokeToken(id: number, now: Date): Promise<boolean> {
      const updated = await ex
        .update(schoolTokens)
        .set({ revokedAt: now })
        .where(and(eq(schoolTokens.id, id), isNull(schoolTokens.revokedAt)))
        .returning({ id: schoolTokens.id });
      return updated.length > 0;
    },

    /** The school a bearer token belongs to, compared in constant time; undefined for anything else. */
    async schoolForToken(token: string): Promise<number | undefined> {
      const match = TOKEN.exec(token);
      const presented = sha256(match?.[2] ?? token);
      const [row] = match
        ? await ex
            .select()
            .from(schoolTokens)
            .where(and(eq(schoolTokens.id, Number(match[1])), isNull(schoolTokens.revokedAt)))
        : [];
      const stored = row ? Buffer.from(row.secretHash, 'hex') : Buffer.alloc(32);
      const equal = timingSafeEqual(presented, stored.length === 32 ? stored : Buffer.alloc(32));
      return row && equal ? row.schoolId : undefined;
    },

    /** Everything the departure policy needs about one school. */
    async loadSnapshot(schoolId: number, defaultLanguage: 'ru' | 'en'): Promise<RosterSnapshot> {
      const people = await ex.select().from(persons).where(eq(persons.schoolId, schoolId));
      const links = await ex
        .select({ guardianId: guardianships.guardianId, studentId: guardianships.studentId })
        .from(guardianships)
        .innerJoin(persons, eq(persons.id, guardianships.guardianId))
        .where(eq(persons.schoolId, schoolId));
      const children = new Map<number, number[]>();
      for (const link of links)
        children.set(link.guardianId, [...(children.get(link.guardianId) ?? []), link.studentId]);
      const map = new Map<number, LoadedPerson>();
      const byExternal = new Map<string, number>();
      for (const p of people) {
        const kind = p.kind as PersonKind;
        map.set(p.id, {
          id: p.id,
          kind,
          active: p.status === 'active',
          classCode: p.classCode,
          children: children.get(p.id) ?? [],
          externalId: p.externalId,
          name: p.name,
        });
        byExternal.set(externalKey(kind, p.externalId), p.id);
      }
      const chatRows = await ex
        .select({ id: chats.id, settings: chats.settings })
        .from(chats)
        .where(
          and(
            eq(chats.schoolId, schoolId),
            inArray(chats.botStatus, ['member', 'administrator', 'creator', UNKNOWN_STANDING]),
          ),
        );
      const rosterChats: RosterChat[] = chatRows.map((row) => {
        const settings = readSettings(row.settings, defaultLanguage);
        return { chatId: row.id, classCode: settings.class, kind: settings.kind as ChatKind };
      });
      const present = await ex
        .select({
          chatId: chatMembers.chatId,
          accountId: chatMembers.accountId,
          personId: personAccounts.personId,
        })
        .from(chatMembers)
        .innerJoin(chats, eq(chats.id, chatMembers.chatId))
        .innerJoin(personAccounts, eq(personAccounts.accountId, chatMembers.accountId))
        .innerJoin(persons, eq(persons.id, personAccounts.personId))
        .where(
          and(
            eq(chats.schoolId, schoolId),
            eq(persons.schoolId, schoolId),
            inArray(chatMembers.status, ['member', 'restricted']),
          ),
        );
      const grouped = new Map<string, Presence>();
      for (const row of present) {
        const key = `${row.chatId}:${row.accountId}`;
        const entry = grouped.get(key) ?? { chatId: row.chatId, accountId: row.accountId, personIds: [] };
        (entry.personIds as number[]).push(row.personId);
        grouped.set(key, entry);
      }
      return { persons: map, byExternal, chats: rosterChats, presence: [...grouped.values()] };
    },

    /** Records a roster event; false if the school sent this event id before (it is applied once). */
    async recordEvent(
      schoolId: number,
      eventId: string,
      type: string,
      payload: unknown,
      source: RosterSource,
      now: Date,
    ) {
      const [row] = await ex
        .insert(rosterEvents)
        .values({ schoolId, eventId, type, payload, source, receivedAt: now })
        .onConflictDoNothing()
        .returning({ id: rosterEvents.id });
      return row?.id;
    },

    async knownEventIds(schoolId: number, eventIds: string[]): Promise<Set<string>> {
      if (eventIds.length === 0) return new Set();
      const rows = await ex
        .select({ eventId: rosterEvents.eventId })
        .from(rosterEvents)
        .where(and(eq(rosterEvents.schoolId, schoolId), inArray(rosterEvents.eventId, eventIds)));
      return new Set(rows.map((row) => row.eventId));
    },

    async insertPerson(values: typeof persons.$inferInsert): Promise<PersonRow> {
      const [row] = await ex.insert(persons).values(values).returning();
      if (!row) throw new Error('person insert returned nothing');
      return row;
    },

    async updatePerson(id: number, values: Partial<typeof persons.$inferInsert>): Promise<void> {
      await ex.update(persons).set(values).where(eq(persons.id, id));
    },

    async person(id: number): Promise<PersonRow | undefined> {
      const [row] = await ex.select().from(persons).where(eq(persons.id, id));
      return row;
    },

    async findPersons(schoolId: number, externalId: string, kind?: PersonKind): Promise<PersonRow[]> {
      return ex
        .select()
        .from(persons)
        .where(
          and(
            eq(persons.schoolId, schoolId),
            eq(persons.externalId, externalId),
            ...(kind ? [eq(persons.kind, kind)] : []),
          ),
        );
    },

    async link(guardianId: number, studentId: number): Promise<void> {
      await ex.insert(guardianships).values({ guardianId, studentId }).onConflictDoNothing();
    },

    async unlink(guardianId: number, studentId: number): Promise<void> {
      await ex
        .delete(guardianships)
        .where(and(eq(guardianships.guardianId, guardianId), eq(guardianships.studentId, studentId)));
    },

    async linkAccount(
      personId: number,
      accountId: number,
      by: 'invitation' | 'moderator',
      now: Date,
    ): Promise<void> {
      await ex
        .insert(personAccounts)
        .values({ personId, accountId, linkedBy: by, linkedAt: now })
        .onConflictDoNothing();
    },

    /** Accounts linked to the school's employees: those still employed, and those who left. */
    async staffAccounts(schoolId: number): Promise<{ active: Set<number>; departed: Set<number> }> {
      const rows = await ex
        .select({ accountId: personAccounts.accountId, status: persons.status })
        .from(personAccounts)
        .innerJoin(persons, eq(persons.id, personAccounts.personId))
        .where(and(eq(persons.schoolId, schoolId), eq(persons.kind, 'staff')));
      const active = new Set(rows.filter((row) => row.status === 'active').map((row) => row.accountId));
      const departed = new Set(
        rows
          .filter((row) => row.status !== 'active' && !active.has(row.accountId))
          .map((row) => row.accountId),
      );
      return { active, departed };
    },

    async personsOfAccount(accountId: number): Promise<PersonRow[]> {
      return ex
        .select({ person: persons })
        .from(personAccounts)
        .innerJoin(persons, eq(persons.id, personAccounts.personId))
        .where(eq(personAccounts.accountId, accountId))
        .then((rows) => rows.map((row) => row.person));
    },

    async insertRemoval(values: typeof removals.$inferInsert): Promise<RemovalRow> {
      const [row] = await ex.insert(removals).values(values).returning();
      if (!row) throw new Error('removal insert returned nothing');
      return row;
    },

    async removal(id: number): Promise<RemovalRow | undefined> {
      const [row] = await ex.select().from(removals).where(eq(removals.id, id));
      return row;
    },

    async updateRemoval(id: number, values: Partial<typeof removals.$inferInsert>): Promise<void> {
      await ex.update(removals).set(values).where(eq(removals.id, id));
    },

    /** Whether this account is removed (or being removed) from this chat by the roster. */
    async removedFrom(chatId: number, accountId: number): Promise<boolean> {
      const [row] = await ex
        .select({ id: removals.id })
        .from(removals)
        .where(
          and(
            eq(removals.chatId, chatId),
            eq(removals.accountId, accountId),
            inArray(removals.status, ['pending', 'done']),
          ),
        )
        .limit(1);
      return row !== undefined;
    },

    /** Removals a re-enrolment undoes: of the person, or of guardians because of this student. */
    async liftableRemovals(personId: number): Promise<RemovalRow[]> {
      return ex
        .select()
        .from(removals)
        .where(
          and(
            eq(removals.status, 'done'),
            sql`(${removals.personId} = ${personId} or ${removals.causeStudentId} = ${personId})`,
          ),
        );
    },

    async batchRemovals(batch: string, chatId: number): Promise<RemovalRow[]> {
      return ex
        .select()
        .from(removals)
        .where(and(eq(removals.batch, batch), eq(removals.chatId, chatId)));
    },

    async insertInvitation(values: typeof invitations.$inferInsert): Promise<InvitationRow> {
      const [row] = await ex.insert(invitations).values(values).returning();
      if (!row) throw new Error('invitation insert returned nothing');
      return row;
    },

    async invitationByCode(code: string): Promise<InvitationRow | undefined> {
      const [row] = await ex.select().from(invitations).where(eq(invitations.code, code));
      return row;
    },

    async updateInvitation(id: number, values: Partial<typeof invitations.$inferInsert>): Promise<void> {
      await ex.update(invitations).set(values).where(eq(invitations.id, id));
    },

    /** Claims unclaimed invitations past their expiry and marks them revoked (once, across replicas). */
    async claimExpiredInvitations(now: Date, limit: number): Promise<number[]> {
      const result = await ex.execute(sql`
        update ${invitations} set revoked_at = ${timestamp(now)}
        where id in (
          select id from ${invitations}
          where claimed_at is null and revoked_at is null and expires_at <= ${timestamp(now)}
          limit ${limit} for update skip locked)
        returning id`);
      return rowsOf<{ id: number }>(result).map((row) => Number(row.id));
    },
  };
}

export type RosterRepository = ReturnType<typeof createRosterRepository>;
