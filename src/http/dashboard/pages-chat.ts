import type { Hono } from 'hono';
import { chatPage, weeklySeries } from '../../features/dashboard/index.js';
import { formatDate, formatDateTime } from '../../i18n/index.js';
import type { Services } from '../../runtime/services.js';
import { html } from './html.js';
import { notFound, signedInPage } from './nav.js';
import { CHART_SCRIPTS, chartFigure } from './pages-overview.js';
import type { DashboardEnv, SignedIn } from './session.js';

/** One chat: its chart, its rules with each version's acceptances, its settings, its members' standing. */
export function chatRoutes(app: Hono<DashboardEnv>, services: Services, auth: SignedIn): void {
  app.get('/dashboard/chats/:id', auth, async (c) => {
    const { viewer, t, language } = c.var;
    const id = Number(c.req.param('id'));
    const data = Number.isSafeInteger(id) ? await chatPage(services, viewer, id, t) : undefined;
    if (!data) return notFound(c);
    const tz = services.deps.timeZone;
    const series = await weeklySeries(services, [id]);
    const status = (s: string) =>
      t(`dashboard.chat.member_status.${s as 'member' | 'restricted' | 'left' | 'kicked'}`);
    const body = html`
      ${chartFigure(t, series, id, t('dashboard.chart.caption_chat'))}
      <h2>${t('dashboard.chat.rules')}</h2>
      ${
        data.rules.length === 0
          ? html`<p>${t('dashboard.chat.no_rules')}</p>`
          : data.rules.map(
              (
                rules,
              ) => html`<section aria-label="${t('dashboard.chat.version', { version: rules.version, date: formatDate(rules.createdAt, language, tz) })}">
                <h3>${t('dashboard.chat.version', { version: rules.version, date: formatDate(rules.createdAt, language, tz) })}
                  — ${t('dashboard.chat.accepted', { count: rules.accepted })}</h3>
                <pre class="rules">${rules.text ?? t('dashboard.chat.default_rules')}</pre></section>`,
            )
      }
      <h2>${t('dashboard.chat.settings')}</h2>
      <div class="scroll"><table><thead><tr><th scope="col">${t('dashboard.chat.setting')}</th>
        <th scope="col">${t('dashboard.chat.value')}</th></tr></thead>
        <tbody>${data.settings.map((s) => html`<tr><th scope="row">${s.name} <span class="muted">(${s.key})</span></th><td>${s.value}</td></tr>`)}</tbody>
      </table></div>
      <h2>${t('dashboard.chat.members')}</h2>
      <div class="scroll"><table class="members"><thead><tr>
        <th scope="col">${t('dashboard.chat.name')}</th><th scope="col">${t('dashboard.chat.status')}</th>
        <th scope="col">${t('dashboard.chat.accepted_current')}</th><th scope="col">${t('dashboard.chat.active_strikes')}</th>
        <th scope="col">${t('dashboard.chat.blocked_until')}</th></tr></thead>
        <tbody>${data.members.map(
          (
            m,
          ) => html`<tr><th scope="row">${[m.firstName, m.lastName].filter(Boolean).join(' ')}${m.username ? html` <span class="muted">@${m.username}</span>` : ''}</th>
            <td>${status(m.status)}</td>
            <td>${m.acceptedCurrent ? t('dashboard.chat.yes') : t('dashboard.chat.no')}</td>
            <td>${m.activeStrikes}</td>
            <td>${m.blockedUntil ? formatDateTime(m.blockedUntil, language, tz) : ''}</td></tr>`,
        )}</tbody></table></div>`;
    return signedInPage(c, data.chat.title || `#${id}`, body, { scripts: CHART_SCRIPTS });
  });
}
