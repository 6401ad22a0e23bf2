import { createChatsRepository } from '../../db/repos/chats.js';
import { createDashboardViewsRepository } from '../../db/repos/dashboard-views.js';
import { type ChatCounts, createStatsRepository } from '../../db/repos/stats.js';
import type { Services } from '../../runtime/services.js';

/** Weeks the charts cover. */
export const CHART_WEEKS = 12;

export interface OverviewChat {
  id: number;
  title: string;
  platform: string;
  className: string | null;
  counts: ChatCounts;
  /** Strikes that count now. */
  activeStrikes: number;
  failedActions: number;
}

/** One line per chat the viewer sees (4.11.2's statistics, plus what needs a moderator's attention). */
export async function overview(services: Services, chatIds: number[]): Promise<OverviewChat[]> {
  const db = services.db;
  const views = createDashboardViewsRepository(db);
  const chats = await createChatsRepository(db, services.deps.defaultLanguage).byIds(chatIds);
  const versions = await views.currentRulesVersions(chatIds);
  const counts = await createStatsRepository(db).countsByChat(chatIds, versions);
  const now = services.clock.now();
  const active = await views.activeStrikes(chatIds, now);
  const failed = await views.failedActionCounts(chatIds);
  return chats
    .sort((a, b) => a.title.localeCompare(b.title) || a.id - b.id)
    .map((chat) => ({
      id: chat.id,
      title: chat.title,
      platform: chat.platform,
      className: chat.settings.class,
      counts: counts.get(chat.id) as ChatCounts,
      activeStrikes: active.get(chat.id) ?? 0,
      failedActions: failed.get(chat.id) ?? 0,
    }));
}

export interface WeeklySeries {
  /** The start of each week, oldest first (ISO dates, UTC). */
  weeks: string[];
  strikes: number[];
  blocks: number[];
  votes: number[];
}

/** Strikes, blocks and votes per week over the last 12 weeks, summed over `chatIds`. */
export async function weeklySeries(services: Services, chatIds: number[]): Promise<WeeklySeries> {
  const now = services.clock.now();
  const rows = await createDashboardViewsRepository(services.db).weekly(chatIds, now, CHART_WEEKS);
  const week = 7 * 24 * 3600_000;
  const series: WeeklySeries = {
    weeks: Array.from({ length: CHART_WEEKS }, (_, i) =>
      new Date(now.getTime() - (CHART_WEEKS - i) * week).toISOString().slice(0, 10),
    ),
    strikes: new Array<number>(CHART_WEEKS).fill(0),
    blocks: new Array<number>(CHART_WEEKS).fill(0),
    votes: new Array<number>(CHART_WEEKS).fill(0),
  };
  for (const row of rows) {
    const index = CHART_WEEKS - 1 - row.ago;
    if (index >= 0 && index < CHART_WEEKS) series[row.kind][index] = (series[row.kind][index] ?? 0) + row.n;
  }
  return series;
}
