import type { Executor } from '../../db/client.js';
import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createDashboardAuthRepository, type DashboardPrincipal } from '../../db/repos/dashboard-auth.js';
import { createDashboardViewsRepository } from '../../db/repos/dashboard-views.js';
import { createRosterRepository } from '../../db/repos/roster.js';
import type { Services } from '../../runtime/services.js';
import { moderatesUnder, moderatorRule } from '../membership/staff.js';
import { hashSecret, newSecret, wellFormed } from './tokens.js';

/** A sign-in link works once, for this long (issue 19). */
export const LINK_TTL_MS = 10 * 60_000;
/** A session lasts this long from sign-in. */
export const SESSION_TTL_MS = 8 * 3600_000;

/** Who is looking at the dashboard, and which chats they may see. */
export interface Viewer {
  role: 'moderator' | 'school';
  accountId: number | null;
  schoolId: number | null;
  /** The chats this viewer may see: a moderator's, or all the school's. */
  chatIds: number[];
  /** The session's CSRF token, put into every form. */
  csrf: string;
  /** Shown in the header: the moderator's name or the school's. */
  name: string;
}

/**
 * Chats an account moderates now (4.13.2, by features/membership/staff.ts's rule): an administrator there
 * whom the chat's rule lets moderate. Reads through `ex`, so a command can ask inside its own transaction.
 */
export async function moderatedChats(services: Services, accountId: number, ex: Executor = services.db) {
  const account = await createAccountsRepository(ex).byId(accountId);
  if (!account) return [];
  const ids = await createDashboardViewsRepository(ex).chatsAdministeredBy(
    account.platform,
    account.platformUserId,
  );
  const chats = await createChatsRepository(ex, services.deps.defaultLanguage).byIds(ids);
  const moderated: number[] = [];
  for (const chat of chats) {
    if (moderatesUnder(await moderatorRule(services, chat, { ex, fresh: true }), account.platformUserId))
      moderated.push(chat.id);
  }
  return moderated.sort((a, b) => a - b);
}

/** Makes a single-use sign-in link's token (only its hash is stored); the caller builds the URL. */
export async function issueLink(ex: Executor, principal: DashboardPrincipal, now: Date): Promise<string> {
  const token = newSecret();
  await createDashboardAuthRepository(ex).addLink(
    principal,
    hashSecret(token),
    now,
    new Date(now.getTime() + LINK_TTL_MS),
  );
  return token;
}

/** The URL of a sign-in link: `PUBLIC_URL` (or the bot's own address) and the path. */
export function linkUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/dashboard/signin/${token}`;
}

export type LinkState = 'valid' | 'expired' | 'used' | 'unknown';

/** What a link is, without using it (the page that asks to continue). */
export async function linkState(services: Services, token: string | undefined): Promise<LinkState> {
  if (!wellFormed(token)) return 'unknown';
  const link = await createDashboardAuthRepository(services.db).linkByHash(hashSecret(token));
  if (!link) return 'unknown';
  if (link.usedAt) return 'used';
  return link.expiresAt.getTime() <= services.clock.now().getTime() ? 'expired' : 'valid';
}

export interface NewSession {
  /** The cookie's value; only its hash is stored. */
  cookie: string;
  expiresAt: Date;
}

async function openSession(ex: Executor, principal: DashboardPrincipal, now: Date): Promise<NewSession> {
  const cookie = newSecret();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await createDashboardAuthRepository(ex).addSession(
    principal,
    hashSecret(cookie),
    newSecret(),
    now,
    expiresAt,
  );
  return { cookie, expiresAt };
}

/** Uses a link: a session, or why not. Used, expired and unknown links are told apart for the page. */
export async function redeemLink(
  services: Services,
  token: string | undefined,
): Promise<{ ok: true; session: NewSession } | { ok: false; reason: Exclude<LinkState, 'valid'> }> {
  if (!wellFormed(token)) return { ok: false, reason: 'unknown' };
  return services.transact(async (work) => {
    const repo = createDashboardAuthRepository(work.tx);
    const link = await repo.linkByHash(hashSecret(token));
    if (!link) return { ok: false, reason: 'unknown' };
    if (link.usedAt) return { ok: false, reason: 'used' };
    if (link.expiresAt.getTime() <= work.now.getTime()) return { ok: false, reason: 'expired' };
    if (!(await repo.useLink(link.id, work.now))) return { ok: false, reason: 'used' };
    const principal = { role: link.role, accountId: link.accountId, schoolId: link.schoolId };
    return { ok: true, session: await openSession(work.tx, principal, work.now) };
  });
}

/** Signs a school's administrator in with one of the school's API tokens. */
export async function signInWithSchoolToken(
  services: Services,
  apiToken: string,
): Promise<NewSession | undefined> {
  const trimmed = apiToken.trim();
  if (trimmed.length === 0 || trimmed.length > 200) return undefined;
  const schoolId = await createRosterRepository(services.db).schoolForToken(trimmed);
  if (schoolId === undefined) return undefined;
  return services.transact((work) =>
    openSession(work.tx, { role: 'school', accountId: null, schoolId }, work.now),
  );
}

/** The viewer of a session cookie, or none (no cookie, unknown, expired, or nothing left to see). */
export async function viewerOf(services: Services, cookie: string | undefined): Promise<Viewer | undefined> {
  if (!wellFormed(cookie)) return undefined;
  const session = await createDashboardAuthRepository(services.db).liveSession(
    hashSecret(cookie),
    services.clock.now(),
  );
  if (!session) return undefined;
  const base = { accountId: session.accountId, schoolId: session.schoolId, csrf: session.csrfSecret };
  if (session.role === 'school' && session.schoolId !== null) {
    const school = await createRosterRepository(services.db).school(session.schoolId);
    const chats = await createChatsRepository(services.db, services.deps.defaultLanguage).ofSchool(
      session.schoolId,
    );
    return { ...base, role: 'school', chatIds: chats.map((c) => c.id), name: school?.name ?? '' };
  }
  if (session.role === 'moderator' && session.accountId !== null) {
    const account = await createAccountsRepository(services.db).byId(session.accountId);
    const name = account ? [account.firstName, account.lastName].filter(Boolean).join(' ') : '';
    return { ...base, role: 'moderator', chatIds: await moderatedChats(services, session.accountId), name };
  }
  return undefined;
}

export async function signOut(services: Services, cookie: string | undefined): Promise<void> {
  if (!wellFormed(cookie)) return;
  await createDashboardAuthRepository(services.db).endSession(hashSecret(cookie));
}

/** Forgets sign-in links and sessions past their time (a daily job). */
export async function pruneDashboardSessions(services: Services, now: Date): Promise<number> {
  return createDashboardAuthRepository(services.db).prune(now);
}
