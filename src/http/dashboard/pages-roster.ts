import type { Context, Hono } from 'hono';
import { rosterPage } from '../../features/dashboard/index.js';
import { EraseRequest, erasePerson, exportPerson, parseSubject } from '../../features/personal-data/index.js';
import { formatDateTime } from '../../i18n/index.js';
import type { Services } from '../../runtime/services.js';
import { html } from './html.js';
import { notFound, signedInPage } from './nav.js';
import { CHART_SCRIPTS } from './pages-overview.js';
import { checkCsrf, type DashboardEnv, readForm, type SignedIn } from './session.js';

type Ctx = Context<DashboardEnv>;
type Kind = 'student' | 'guardian' | 'staff';
const KINDS: Kind[] = ['student', 'guardian', 'staff'];

/** The school's roster page and a person's export and erasure (152-ФЗ), for the school's administrator. */
export function rosterRoutes(app: Hono<DashboardEnv>, services: Services, auth: SignedIn): void {
  const schoolOf = (c: Ctx) => (c.var.viewer.role === 'school' ? c.var.viewer.schoolId : null);

  const render = async (c: Ctx, schoolId: number, message?: { text: string; role: 'status' | 'alert' }) => {
    const { t, language, viewer } = c.var;
    const data = await rosterPage(services, schoolId);
    const kind = (k: string) => t(`dashboard.roster.kinds.${k as Kind}`);
    const who = (p: { name: string | null; externalId: string }) => p.name ?? p.externalId;
    const kindSelect = (id: string) =>
      html`<select id="${id}" name="kind">${KINDS.map(
        (k) => html`<option value="${k}">${kind(k)}</option>`,
      )}</select>`;
    const body = html`${message ? html`<p class="${message.role === 'alert' ? 'refusal' : 'notice'}" role="${message.role}">${message.text}</p>` : ''}
      <h2>${t('dashboard.roster.uninvited')}</h2>
      ${
        data.uninvited.length === 0
          ? html`<p>${t('dashboard.roster.uninvited_none')}</p>`
          : html`<div class="scroll"><table class="uninvited"><thead><tr><th scope="col">${t('dashboard.roster.person')}</th>
            <th scope="col">${t('dashboard.roster.kind')}</th><th scope="col">${t('dashboard.roster.class')}</th></tr></thead>
            <tbody>${data.uninvited.map((p) => html`<tr><th scope="row">${who(p)} <span class="muted">${p.externalId}</span></th><td>${kind(p.kind)}</td><td>${p.classes}</td></tr>`)}</tbody></table></div>`
      }
      <h2>${t('dashboard.roster.invitations')}</h2>
      ${
        data.invitations.length === 0
          ? html`<p>${t('dashboard.roster.invitations_none')}</p>`
          : html`<div class="scroll"><table><thead><tr><th scope="col">${t('dashboard.roster.person')}</th>
            <th scope="col">${t('dashboard.roster.kind')}</th><th scope="col">${t('dashboard.roster.invitation_state')}</th>
            <th scope="col">${t('dashboard.roster.expires')}</th></tr></thead>
            <tbody>${data.invitations.map(
              (i) => html`<tr><th scope="row">${who(i)}</th><td>${kind(i.kind)}</td>
              <td>${i.expired ? t('dashboard.roster.expired') : t('dashboard.roster.pending')}</td>
              <td>${formatDateTime(i.expiresAt, language, services.deps.timeZone)}</td></tr>`,
            )}</tbody></table></div>`
      }
      <h2>${t('dashboard.roster.departures')}</h2>
      ${
        data.departures.length === 0
          ? html`<p>${t('dashboard.roster.departures_none')}</p>`
          : html`<div class="scroll"><table><thead><tr><th scope="col">${t('dashboard.roster.person')}</th>
            <th scope="col">${t('dashboard.roster.kind')}</th><th scope="col">${t('dashboard.roster.removals')}</th></tr></thead>
            <tbody>${data.departures.map(
              (d) => html`<tr><th scope="row">${who(d.person)}</th><td>${kind(d.person.kind)}</td>
                <td>${d.removals.map((r) => html`${r.chat}: ${t(`dashboard.roster.removal_status.${r.status as 'pending' | 'done' | 'failed' | 'lifted'}`)}<br>`)}</td></tr>`,
            )}</tbody></table></div>`
      }
      <h2>${t('dashboard.roster.data')}</h2>
      <p>${t('dashboard.roster.data_intro')}</p>
      <form method="get" action="/dashboard/people/export" class="filters">
        <div><label for="x-kind">${t('dashboard.roster.kind')}</label>${kindSelect('x-kind')}</div>
        <div><label for="x-id">${t('dashboard.roster.external_id')}</label><input id="x-id" name="id" required maxlength="64"></div>
        <div><button type="submit">${t('dashboard.roster.export')}</button></div>
      </form>
      <form method="post" action="/dashboard/people/erase" class="filters" data-confirm="${t('dashboard.roster.confirm_erase')}">
        <input type="hidden" name="_csrf" value="${viewer.csrf}">
        <div><label for="e-kind">${t('dashboard.roster.kind')}</label>${kindSelect('e-kind')}</div>
        <div><label for="e-id">${t('dashboard.roster.external_id')}</label><input id="e-id" name="id" required maxlength="64"></div>
        <div><label for="e-reason">${t('dashboard.roster.reason')}</label><input id="e-reason" name="reason" required minlength="3" maxlength="1000"></div>
        <div><button type="submit" class="danger">${t('dashboard.roster.erase')}</button></div>
      </form>`;
    return signedInPage(c, t('dashboard.roster.title'), body, { scripts: CHART_SCRIPTS.slice(1) });
  };

  app.get('/dashboard/roster', auth, async (c) => {
    const schoolId = schoolOf(c);
    return schoolId === null ? notFound(c) : render(c, schoolId);
  });

  app.get('/dashboard/people/export', auth, async (c) => {
    const schoolId = schoolOf(c);
    if (schoolId === null) return notFound(c);
    const t = c.var.t;
    const ref = parseSubject([c.req.query('kind') ?? '', c.req.query('id') ?? '']);
    if ('error' in ref) {
      return render(c, schoolId, {
        text: t('dashboard.roster.bad_request', { problem: ref.error }),
        role: 'alert',
      });
    }
    const data = await exportPerson(services, schoolId, ref);
    if (!data) return render(c, schoolId, { text: t('dashboard.roster.not_found'), role: 'alert' });
    return c.body(JSON.stringify(data, null, 2), 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="personal-data-${ref.kind}.json"`,
    });
  });

  app.post('/dashboard/people/erase', auth, readForm, checkCsrf, async (c) => {
    const schoolId = schoolOf(c);
    if (schoolId === null) return notFound(c);
    const { t, form } = c.var;
    const ref = parseSubject([form.kind ?? '', form.id ?? '']);
    const parsed = EraseRequest.safeParse({ reason: form.reason ?? '' });
    if ('error' in ref || !parsed.success) {
      const problem = 'error' in ref ? ref.error : (parsed.error?.issues[0]?.message ?? '');
      return render(c, schoolId, { text: t('dashboard.roster.bad_request', { problem }), role: 'alert' });
    }
    const outcome = await erasePerson(services, {
      schoolId,
      ref,
      reason: parsed.data.reason,
      requestedBy: 'школа (панель)',
    });
    if (outcome.result === 'not_found') {
      return render(c, schoolId, { text: t('dashboard.roster.not_found'), role: 'alert' });
    }
    return render(c, schoolId, {
      text: t('dashboard.roster.erased', { id: outcome.act.id }),
      role: 'status',
    });
  });
}
