import type { Context, Hono } from 'hono';
import { failedActions, retryAction } from '../../features/dashboard/index.js';
import { decideAttachment, pendingAttachments } from '../../features/schools/index.js';
import { formatDateTime } from '../../i18n/index.js';
import type { Services } from '../../runtime/services.js';
import { html } from './html.js';
import { notFound, signedInPage } from './nav.js';
import { CHART_SCRIPTS } from './pages-overview.js';
import { checkCsrf, type DashboardEnv, readForm, type SignedIn } from './session.js';

type Ctx = Context<DashboardEnv>;

/** The line a page shows after a form was sent (`?done=…`), read by screen readers as a status. */
function notice(c: Ctx, texts: Record<string, string>) {
  const done = c.req.query('done');
  const text = done ? texts[done] : undefined;
  return text ? html`<p class="notice" role="status">${text}</p>` : '';
}

/** Failed platform actions with a retry button, and the school's pending chat requests. */
export function actionRoutes(app: Hono<DashboardEnv>, services: Services, auth: SignedIn): void {
  const when = (c: Ctx, date: Date | null) =>
    date ? formatDateTime(date, c.var.language, services.deps.timeZone) : '';

  app.get('/dashboard/failed', auth, async (c) => {
    const { viewer, t } = c.var;
    const chat = c.req.query('chat');
    const rows = await failedActions(services, viewer, chat ? Number(chat) : undefined);
    const body = html`${notice(c, { retried: t('dashboard.failed.retried'), already: t('dashboard.failed.already'), not_retryable: t('dashboard.failed.not_retryable') })}
      <p>${t('dashboard.failed.intro')}</p>
      ${
        rows.length === 0
          ? html`<p>${t('dashboard.failed.none')}</p>`
          : html`<div class="scroll"><table class="failed"><thead><tr>
          <th scope="col">${t('dashboard.failed.when')}</th><th scope="col">${t('dashboard.failed.chat')}</th>
          <th scope="col">${t('dashboard.failed.action')}</th><th scope="col">${t('dashboard.failed.reason')}</th>
          <th scope="col"><span class="visually-hidden">${t('dashboard.failed.retry')}</span></th></tr></thead>
          <tbody>${rows.map(
            (
              row,
            ) => html`<tr><td>${when(c, row.completedAt ?? row.createdAt)}</td><td>${row.chatTitle ?? ''}</td>
              <td>${row.type}</td><td>${row.lastError ?? ''}</td>
              <td>${
                row.retryable
                  ? html`<form method="post" action="/dashboard/failed/${row.id}/retry" class="inline">
                <input type="hidden" name="_csrf" value="${viewer.csrf}">
                <button type="submit" aria-label="${t('dashboard.failed.retry')}: ${row.type}, ${row.chatTitle ?? ''}">${t('dashboard.failed.retry')}</button>
              </form>`
                  : html`<span class="muted">${t('dashboard.failed.not_retryable')}</span>`
              }</td></tr>`,
          )}</tbody></table></div>`
      }`;
    return signedInPage(c, t('dashboard.failed.title'), body, { scripts: CHART_SCRIPTS.slice(1) });
  });

  app.post('/dashboard/failed/:id/retry', auth, readForm, checkCsrf, async (c) => {
    const id = Number(c.req.param('id'));
    const result = Number.isSafeInteger(id) ? await retryAction(services, c.var.viewer, id) : 'not_found';
    if (result === 'not_found') return notFound(c);
    return c.redirect(`/dashboard/failed?done=${result}`, 303);
  });

  app.get('/dashboard/attachments', auth, async (c) => {
    const { viewer, t } = c.var;
    if (viewer.role !== 'school' || viewer.schoolId === null) return notFound(c);
    const requests = await pendingAttachments(services, viewer.schoolId);
    const body = html`${notice(c, {
      confirmed: t('dashboard.attachments.confirmed'),
      rejected: t('dashboard.attachments.rejected'),
      already: t('dashboard.attachments.already'),
    })}
      ${
        requests.length === 0
          ? html`<p>${t('dashboard.attachments.none')}</p>`
          : html`<div class="scroll"><table><thead><tr>
          <th scope="col">${t('dashboard.attachments.chat')}</th><th scope="col">${t('dashboard.attachments.requested_by')}</th>
          <th scope="col">${t('dashboard.attachments.when')}</th><th scope="col"><span class="visually-hidden">${t('dashboard.attachments.confirm')}</span></th></tr></thead>
          <tbody>${requests.map(
            (
              r,
            ) => html`<tr><td>${r.chat.title} <span class="muted">(${r.chat.platform})</span></td><td>${r.requestedBy ?? ''}</td>
              <td>${when(c, new Date(r.requestedAt))}</td>
              <td><form method="post" action="/dashboard/attachments/${r.id}/confirm" class="inline">
                  <input type="hidden" name="_csrf" value="${viewer.csrf}">
                  <button type="submit" aria-label="${t('dashboard.attachments.confirm')}: ${r.chat.title}">${t('dashboard.attachments.confirm')}</button></form>
                <form method="post" action="/dashboard/attachments/${r.id}/reject" class="inline" data-confirm="${t('dashboard.attachments.confirm_reject')}">
                  <input type="hidden" name="_csrf" value="${viewer.csrf}">
                  <button type="submit" class="secondary" aria-label="${t('dashboard.attachments.reject')}: ${r.chat.title}">${t('dashboard.attachments.reject')}</button></form></td></tr>`,
          )}</tbody></table></div>`
      }`;
    return signedInPage(c, t('dashboard.attachments.title'), body, { scripts: CHART_SCRIPTS.slice(1) });
  });

  app.post('/dashboard/attachments/:id/:decision', auth, readForm, checkCsrf, async (c) => {
    const { viewer } = c.var;
    const id = Number(c.req.param('id'));
    const decision = c.req.param('decision');
    if (viewer.role !== 'school' || viewer.schoolId === null || !Number.isSafeInteger(id)) return notFound(c);
    if (decision !== 'confirm' && decision !== 'reject') return notFound(c);
    const { result } = await decideAttachment(services, viewer.schoolId, id, decision);
    if (result === 'not_found') return notFound(c);
    return c.redirect(`/dashboard/attachments?done=${result}`, 303);
  });
}
