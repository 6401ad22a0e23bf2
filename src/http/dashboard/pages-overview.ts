import type { Hono } from 'hono';
import {
  type OverviewChat,
  overview,
  type WeeklySeries,
  weeklySeries,
} from '../../features/dashboard/index.js';
import type { Translate } from '../../i18n/index.js';
import type { Services } from '../../runtime/services.js';
import { type Html, html } from './html.js';
import { signedInPage } from './nav.js';
import type { DashboardEnv, SignedIn } from './session.js';

export const CHART_SCRIPTS = ['/dashboard/assets/uPlot.iife.min.js', '/dashboard/assets/dashboard.js'];

/**
 * A chart of strikes, blocks and votes per week, drawn by dashboard.js from `/dashboard/api/weekly`;
 * the same numbers are in a table beside it for screen readers and for anyone without scripts.
 */
export function chartFigure(
  t: Translate,
  series: WeeklySeries,
  chatId: number | undefined,
  caption: string,
): Html {
  const url = `/dashboard/api/weekly${chatId === undefined ? '' : `?chat=${chatId}`}`;
  const labels = {
    strikes: t('dashboard.chart.strikes'),
    blocks: t('dashboard.chart.blocks'),
    votes: t('dashboard.chart.votes'),
  };
  return html`<figure class="chart-figure">
    <figcaption>${caption}</figcaption>
    <div class="chart" data-series-url="${url}" data-label-strikes="${labels.strikes}"
      data-label-blocks="${labels.blocks}" data-label-votes="${labels.votes}"
      role="img" aria-label="${caption}"></div>
    <details><summary>${t('dashboard.chart.table')}</summary>
      <div class="scroll"><table>
        <thead><tr><th scope="col">${t('dashboard.chart.week')}</th><th scope="col">${labels.strikes}</th>
          <th scope="col">${labels.blocks}</th><th scope="col">${labels.votes}</th></tr></thead>
        <tbody>${series.weeks.map(
          (week, i) =>
            html`<tr><th scope="row">${week}</th><td>${series.strikes[i]}</td><td>${series.blocks[i]}</td><td>${series.votes[i]}</td></tr>`,
        )}</tbody>
      </table></div>
    </details>
  </figure>`;
}

function chatRow(t: Translate, chat: OverviewChat): Html {
  const { counts } = chat;
  return html`<tr>
    <th scope="row"><a href="/dashboard/chats/${chat.id}">${chat.title || `#${chat.id}`}</a>
      ${chat.className ? html`<span class="muted">${chat.className}</span>` : ''}</th>
    <td>${counts.members}</td>
    <td>${counts.acceptancesCurrent}</td>
    <td>${chat.activeStrikes}</td>
    <td>${counts.blocks.active}</td>
    <td>${counts.votes.total} <span class="muted">(${t('dashboard.overview.vote_outcomes', { unblocked: counts.votes.unblocked, kept: counts.votes.kept, open: counts.votes.open })})</span></td>
    <td>${counts.removals.done}${counts.removals.pending + counts.removals.failed > 0 ? html` <span class="muted">(${t('dashboard.overview.removals_rest', { pending: counts.removals.pending, failed: counts.removals.failed })})</span>` : ''}</td>
    <td>${chat.failedActions > 0 ? html`<a href="/dashboard/failed?chat=${chat.id}">${chat.failedActions}</a>` : '0'}</td>
  </tr>`;
}

/** The overview: a line per chat and the weekly chart of all the viewer's chats. */
export function overviewRoutes(app: Hono<DashboardEnv>, services: Services, auth: SignedIn): void {
  app.get('/dashboard/overview', auth, async (c) => {
    const { viewer, t } = c.var;
    const chats = await overview(services, viewer.chatIds);
    const series = await weeklySeries(services, viewer.chatIds);
    const caption =
      viewer.role === 'school' ? t('dashboard.chart.caption_school') : t('dashboard.chart.caption_mine');
    const body = html`
      ${chartFigure(t, series, undefined, caption)}
      <h2>${t('dashboard.overview.chats')}</h2>
      ${
        chats.length === 0
          ? html`<p>${t('dashboard.overview.no_chats')}</p>`
          : html`<div class="scroll"><table class="chats">
        <caption class="visually-hidden">${t('dashboard.overview.chats')}</caption>
        <thead><tr>
          <th scope="col">${t('dashboard.overview.chat')}</th>
          <th scope="col">${t('dashboard.overview.members')}</th>
          <th scope="col">${t('dashboard.overview.acceptances')}</th>
          <th scope="col">${t('dashboard.overview.strikes')}</th>
          <th scope="col">${t('dashboard.overview.blocks')}</th>
          <th scope="col">${t('dashboard.overview.votes')}</th>
          <th scope="col">${t('dashboard.overview.removals')}</th>
          <th scope="col">${t('dashboard.overview.failed')}</th>
        </tr></thead>
        <tbody>${chats.map((chat) => chatRow(t, chat))}</tbody>
      </table></div>`
      }`;
    return signedInPage(c, t('dashboard.overview.title'), body, { scripts: CHART_SCRIPTS });
  });

  /** The chart's numbers: all the viewer's chats, or one of them (404 for a chat not theirs). */
  app.get('/dashboard/api/weekly', auth, async (c) => {
    const { viewer } = c.var;
    const chat = c.req.query('chat');
    let chatIds = viewer.chatIds;
    if (chat !== undefined) {
      const id = Number(chat);
      if (!Number.isSafeInteger(id) || !viewer.chatIds.includes(id))
        return c.json({ error: 'not found' }, 404);
      chatIds = [id];
    }
    return c.json(await weeklySeries(services, chatIds));
  });

  app.get('/dashboard/api/chats/:id', auth, async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || !c.var.viewer.chatIds.includes(id))
      return c.json({ error: 'not found' }, 404);
    const [chat] = await overview(services, [id]);
    return chat ? c.json(chat) : c.json({ error: 'not found' }, 404);
  });
}
