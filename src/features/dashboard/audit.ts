import { LRUCache } from 'lru-cache';
import { Temporal } from 'temporal-polyfill';
import {
  type AuditFilter,
  type AuditRow,
  createDashboardViewsRepository,
} from '../../db/repos/dashboard-views.js';
import type { Services } from '../../runtime/services.js';
import type { Viewer } from './access.js';

export const AUDIT_PAGE_SIZE = 50;
/** A CSV export holds at most this many entries (newest first). */
export const AUDIT_CSV_LIMIT = 50_000;

/** The filters as typed into the form (the query string), before they are checked. */
export interface AuditQuery {
  chat?: string | undefined;
  action?: string | undefined;
  person?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  page?: string | undefined;
}

export type AuditProblem = 'bad_date' | 'bad_chat';

/** Midnight of a `YYYY-MM-DD` day in the school's time zone; undefined when it is not such a date. */
function dayStart(value: string, timeZone: string, plusDays = 0): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  try {
    const day = Temporal.PlainDate.from(value, { overflow: 'reject' }).add({ days: plusDays });
    return new Date(day.toZonedDateTime({ timeZone }).epochMilliseconds);
  } catch {
    return undefined;
  }
}

/** Checks the filters against what the viewer may see; a problem leaves nothing filtered wrongly. */
export function auditFilter(
  services: Services,
  viewer: Viewer,
  query: AuditQuery,
): { ok: true; filter: AuditFilter; page: number } | { ok: false; problem: AuditProblem } {
  const filter: AuditFilter = { chatIds: viewer.chatIds };
  if (viewer.role === 'school' && viewer.schoolId !== null) filter.schoolId = viewer.schoolId;
  if (query.chat) {
    const id = Number(query.chat);
    if (!Number.isSafeInteger(id) || !viewer.chatIds.includes(id)) return { ok: false, problem: 'bad_chat' };
    filter.chatId = id;
  }
  const action = query.action?.trim();
  if (action) filter.action = action.slice(0, 64);
  const person = query.person?.trim();
  if (person) filter.person = person.slice(0, 64);
  const timeZone = services.deps.timeZone;
  if (query.from) {
    filter.from = dayStart(query.from, timeZone);
    if (!filter.from) return { ok: false, problem: 'bad_date' };
  }
  if (query.to) {
    filter.to = dayStart(query.to, timeZone, 1);
    if (!filter.to) return { ok: false, problem: 'bad_date' };
  }
  const page = Math.min(10_000, Math.max(1, Math.floor(Number(query.page ?? 1)) || 1));
  return { ok: true, filter, page };
}

/** One page of entries and whether an older page follows. */
export async function auditPage(
  services: Services,
  filter: AuditFilter,
  page: number,
): Promise<{ rows: AuditRow[]; more: boolean }> {
  const rows = await createDashboardViewsRepository(services.db).auditPage(
    filter,
    AUDIT_PAGE_SIZE + 1,
    (page - 1) * AUDIT_PAGE_SIZE,
  );
  return { rows: rows.slice(0, AUDIT_PAGE_SIZE), more: rows.length > AUDIT_PAGE_SIZE };
}

export async function auditForCsv(services: Services, filter: AuditFilter): Promise<AuditRow[]> {
  return createDashboardViewsRepository(services.db).auditPage(filter, AUDIT_CSV_LIMIT, 0);
}

/** The filter's list of actions changes rarely: read once a minute per set of chats, not on every page. */
const actionLists = new WeakMap<Services, LRUCache<string, string[]>>();

export async function auditActions(services: Services, viewer: Viewer): Promise<string[]> {
  let lists = actionLists.get(services);
  if (!lists) {
    lists = new LRUCache<string, string[]>({ max: 1000, ttl: 60_000 });
    actionLists.set(services, lists);
  }
  const key = viewer.chatIds.join(',');
  const cached = lists.get(key);
  if (cached) return cached;
  const actions = await createDashboardViewsRepository(services.db).auditActions(viewer.chatIds);
  lists.set(key, actions);
  return actions;
}
