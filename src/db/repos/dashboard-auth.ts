import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { dashboardLinks, dashboardSessions } from '../schema.js';
import type { DashboardRole } from '../tables/dashboard.js';

export type DashboardLinkRow = typeof dashboardLinks.$inferSelect;
export type DashboardSessionRow = typeof dashboardSessions.$inferSelect;

/** Who a link or a session is for. */
export interface DashboardPrincipal {
  role: DashboardRole;
  accountId: number | null;
  schoolId: number | null;
}

/** The dashboard's sign-in links and sessions; callers pass hashes, never the secrets themselves. */
export function createDashboardAuthRepository(ex: Executor) {
  return {
    async addLink(principal: DashboardPrincipal, tokenHash: string, now: Date, expiresAt: Date) {
      await ex.insert(dashboardLinks).values({ ...principal, tokenHash, createdAt: now, expiresAt });
    },

    async linkByHash(tokenHash: string): Promise<DashboardLinkRow | undefined> {
      const [row] = await ex.select().from(dashboardLinks).where(eq(dashboardLinks.tokenHash, tokenHash));
      return row;
    },

    /** Marks a link used; false when it was used already (two clicks at once: one wins). */
    async useLink(id: number, now: Date): Promise<boolean> {
      const rows = await ex
        .update(dashboardLinks)
        .set({ usedAt: now })
        .where(and(eq(dashboardLinks.id, id), isNull(dashboardLinks.usedAt)))
        .returning({ id: dashboardLinks.id });
      return rows.length > 0;
    },

    async addSession(
      principal: DashboardPrincipal,
      tokenHash: string,
      csrfSecret: string,
      now: Date,
      expiresAt: Date,
    ) {
      await ex
        .insert(dashboardSessions)
        .values({ ...principal, tokenHash, csrfSecret, createdAt: now, expiresAt });
    },

    async liveSession(tokenHash: string, now: Date): Promise<DashboardSessionRow | undefined> {
      const [row] = await ex
        .select()
        .from(dashboardSessions)
        .where(and(eq(dashboardSessions.tokenHash, tokenHash), gt(dashboardSessions.expiresAt, now)));
      return row;
    },

    async endSession(tokenHash: string) {
      await ex.delete(dashboardSessions).where(eq(dashboardSessions.tokenHash, tokenHash));
    },

    /** Forgets links and sessions past their time. */
    async prune(now: Date): Promise<number> {
      const links = await ex
        .delete(dashboardLinks)
        .where(lt(dashboardLinks.expiresAt, now))
        .returning({ id: dashboardLinks.id });
      const sessions = await ex
        .delete(dashboardSessions)
        .where(lt(dashboardSessions.expiresAt, now))
        .returning({ id: dashboardSessions.id });
      return links.length + sessions.length;
    },
  };
}
