import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { createPersonalDataRepository } from '../../db/repos/personal-data.js';
import type { PersonRow } from '../../db/repos/roster.js';
import type { Platform } from '../../messenger/port.js';

export const PERSON_KINDS = ['student', 'guardian', 'staff'] as const;
export type PersonKindName = (typeof PERSON_KINDS)[number];
/** Every platform the bot runs on (messenger/port.ts `Platform`); their user ids are numbers. */
const PLATFORMS = ['telegram', 'vk', 'max'] as const satisfies readonly Platform[];

/** Whose data a request is about: a roster person by the school's id, or an account no roster person has. */
export type SubjectRef =
  | { kind: PersonKindName; id: string }
  | { kind: 'account'; platform: (typeof PLATFORMS)[number]; id: string };

/**
 * The parts of a subject's path in the API (`/people/{kind}/{id}`, `/people/account/{platform}/{id}`), as
 * zod schemas: the OpenAPI document describes the path parameters with them. A roster id has the
 * roster's syntax (features/roster/schemas.ts); a platform id is a number.
 */
export const SubjectParams = {
  kind: z.enum(PERSON_KINDS),
  id: z.string().regex(/^[\p{L}\p{N}_.:\-/]{1,64}$/u),
  platform: z.enum(PLATFORMS),
  accountId: z.string().regex(/^-?\d{1,20}$/),
};

/** Reads `student/S1`, `guardian/G7`, `staff/T2` or `account/telegram/123`; a message when malformed. */
export function parseSubject(parts: string[]): SubjectRef | { error: string } {
  const [kind, a, b] = parts;
  if (kind === 'account') {
    const platform = SubjectParams.platform.safeParse(a);
    const id = SubjectParams.accountId.safeParse(b);
    if (!platform.success || !id.success)
      return { error: 'an account is named as account/{telegram|vk|max}/{numeric id}' };
    return { kind, platform: platform.data, id: id.data };
  }
  const person = SubjectParams.kind.safeParse(kind);
  if (!person.success) return { error: "the kind must be 'student', 'guardian', 'staff' or 'account'" };
  if (a === undefined || b !== undefined || !SubjectParams.id.safeParse(a).success)
    return { error: 'the id must be 1–64 letters, digits or _ . : - /' };
  return { kind: person.data, id: a };
}

/** The subject as found: the roster person (if any) and the accounts to export or erase. */
export interface Subject {
  ref: SubjectRef;
  schoolId: number;
  person: PersonRow | undefined;
  accountIds: number[];
}

/** A keyed hash of a subject's id: what stays of a roster id after erasure, and an act's subject. */
export function subjectKey(key: string, schoolId: number, ref: SubjectRef): string {
  const id = ref.kind === 'account' ? `${ref.platform}:${ref.id}` : ref.id;
  return createHmac('sha256', key).update(`${schoolId}:${ref.kind}:${id}`).digest('hex').slice(0, 32);
}

/** The roster id a person keeps after erasure or the departed period: a keyed hash, no name. */
export function hashedRosterId(key: string, schoolId: number, kind: string, externalId: string): string {
  return `hash:${subjectKey(key, schoolId, { kind: kind as PersonKindName, id: externalId })}`;
}

/**
 * Finds the subject within the school: a person of another school, or an account never seen in the
 * school's chats nor linked to its people, is not found (no hint that it exists elsewhere).
 */
export async function findSubject(
  ex: Executor,
  schoolId: number,
  ref: SubjectRef,
): Promise<Subject | undefined> {
  const repo = createPersonalDataRepository(ex);
  if (ref.kind === 'account') {
    const account = await repo.account(ref.platform, ref.id);
    if (!account || !(await repo.accountInSchool(account.id, schoolId))) return undefined;
    return { ref, schoolId, person: undefined, accountIds: [account.id] };
  }
  const person = await repo.person(schoolId, ref.kind, ref.id);
  if (!person) return undefined;
  return { ref, schoolId, person, accountIds: await repo.accountIdsOf([person.id]) };
}
