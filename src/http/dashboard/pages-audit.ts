import type { Context, Hono } from 'hono';
import type { Language } from '../../config.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import type { AuditRow } from '../../db/repos/dashboard-views.js';
import {
  type AuditQuery,
  auditActions,
  auditFilter,
  auditForCsv,
  auditPage,
  csvLine,
} from '../../features/dashboard/index.js';
import { formatDateTime, type Translate } from '../../i18n/index.js';
import type { Services } from '../../runtime/services.js';
import { type Html, html } from './html.js';
import { signedInPage } from './nav.js';
import type { DashboardEnv, SignedIn } from './session.js';

type Ctx = Context<DashboardEnv>;

function queryOf(c: Ctx): AuditQuery {
  const q = (name: string) => c.req.query(name) || undefined;
  return {
    chat: q('chat'),
    action: q('action'),
    person: q('person'),
    from: q('from'),
    to: q('to'),
    page: q('page'),
  };
}

function withQuery(path: string, query: AuditQuery, page?: number): string {
  const params = new URLSearchParams();
  for (const key of ['chat', 'action', 'person', 'from', 'to'] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (page !== undefined && page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** How the audit page and its CSV name an entry's time, action and actor, in the viewer's language. */
function auditWords(t: Translate, language: Language, timeZone: string) {
  return {
    when: (date: Date) => formatDateTime(date, language, timeZone),
    // The same words as the destruction act's extract (one list, tested against AUDIT_ACTIONS); an older
    // code the texts no longer name is shown by its code.
    actionName: (action: string) =>
      t(`act.action.${action}` as 'act.action.strike', { defaultValue: action }),
    actor: (row: AuditRow) =>
      row.actorName ||
      t(`dashboard.audit.actor.${row.actorKind as 'moderator' | 'member' | 'system' | 'roster'}`),
  };
}

/** The audit log (4.13.7): filters, pages of 50, and the same selection as CSV. */
export function auditRoutes(app: Hono<DashboardEnv>, services: Services, auth: SignedIn): void {
  const chatsOf = (ids: number[]) =>
    createChatsRepository(services.db, services.deps.defaultLanguage).byIds(ids);

  app.get('/dashboard/audit', auth, async (c) => {
    const { viewer, t, language } = c.var;
    const query = queryOf(c);
    const checked = auditFilter(services, viewer, query);
    const chats = (await chatsOf(viewer.chatIds)).sort((a, b) => a.title.localeCompare(b.title));
    const actions = await auditActions(services, viewer);
    const { when, actionName, actor } = auditWords(t, language, services.deps.timeZone);
    const option = (value: string, label: string, selected: boolean) =>
      html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
    const form = html`<form method="get" action="/dashboard/audit" class="filters" aria-label="${t('dashboard.audit.filters')}">
      <div><label for="f-chat">${t('dashboard.audit.chat')}</label>
        <select id="f-chat" name="chat">${option('', t('dashboard.audit.any_chat'), !query.chat)}
          ${chats.map((chat) => option(String(chat.id), chat.title || `#${chat.id}`, query.chat === String(chat.id)))}</select></div>
      <div><label for="f-action">${t('dashboard.audit.action')}</label>
        <select id="f-action" name="action">${option('', t('dashboard.audit.any_action'), !query.action)}
          ${actions.map((action) => option(action, actionName(action), query.action === action))}</select></div>
      <div><label for="f-person">${t('dashboard.audit.person')}</label>
        <input id="f-person" name="person" value="${query.person ?? ''}" maxlength="64"></div>
      <div><label for="f-from">${t('dashboard.audit.from')}</label>
        <input id="f-from" name="from" type="date" value="${query.from ?? ''}"></div>
      <div><label for="f-to">${t('dashboard.audit.to')}</label>
        <input id="f-to" name="to" type="date" value="${query.to ?? ''}"></div>
      <div><button type="submit">${t('dashboard.audit.apply')}</button></div>
    </form>`;
    if (!checked.ok) {
      const problem = t(`dashboard.audit.${checked.problem}`);
      const body = html`${form}<p class="refusal" role="alert">${t('dashboard.audit.bad_filter', { problem })}</p>`;
      return signedInPage(c, t('dashboard.audit.title'), body);
    }
    const { rows, more } = await auditPage(services, checked.filter, checked.page);
    const table: Html =
      rows.length === 0
        ? html`<p>${t('dashboard.audit.empty')}</p>`
        : html`<div class="scroll"><table class="audit">
          <caption class="visually-hidden">${t('dashboard.audit.title')}</caption>
          <thead><tr><th scope="col">${t('dashboard.audit.at')}</th><th scope="col">${t('dashboard.audit.chat')}</th>
            <th scope="col">${t('dashboard.audit.who')}</th><th scope="col">${t('dashboard.audit.what')}</th>
            <th scope="col">${t('dashboard.audit.whom')}</th><th scope="col">${t('dashboard.audit.rule')}</th>
            <th scope="col">${t('dashboard.audit.reason')}</th></tr></thead>
          <tbody>${rows.map(
            (row) => html`<tr><td>${when(row.at)}</td><td>${row.chatTitle ?? ''}</td><td>${actor(row)}</td>
              <td>${actionName(row.action)}</td><td>${row.targetName ?? ''}</td><td>${row.ruleNumber ?? ''}</td><td>${row.reason ?? ''}</td></tr>`,
          )}</tbody></table></div>`;
    const pager = html`<nav class="pager" aria-label="${t('dashboard.audit.page', { page: checked.page })}">
      ${checked.page > 1 ? html`<a href="${withQuery('/dashboard/audit', query, checked.page - 1)}">${t('dashboard.audit.newer')}</a>` : ''}
      <span>${t('dashboard.audit.page', { page: checked.page })}</span>
      ${more ? html`<a href="${withQuery('/dashboard/audit', query, checked.page + 1)}">${t('dashboard.audit.older')}</a>` : ''}
    </nav>`;
    const body = html`${form}
      <p><a href="${withQuery('/dashboard/audit.csv', query)}" download>${t('dashboard.audit.csv')}</a></p>
      ${table}${pager}`;
    return signedInPage(c, t('dashboard.audit.title'), body);
  });

  app.get('/dashboard/audit.csv', auth, async (c) => {
    const { viewer } = c.var;
    const checked = auditFilter(services, viewer, queryOf(c));
    if (!checked.ok) return c.text(c.var.t(`dashboard.audit.${checked.problem}`), 400);
    const { t, language } = c.var;
    const words = auditWords(t, language, services.deps.timeZone);
    const rows = await auditForCsv(services, checked.filter);
    const zone = services.deps.timeZone;
    // A time a spreadsheet reads as one (and sorts): 2026-12-01 10:45:12, in the school's time zone.
    const stamp = new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    // The page's columns in the page's words, for the director's spreadsheet; the entry's number and the
    // action's code come first and last, for whoever sorts or scripts.
    const header = [
      t('dashboard.audit.csv_number'),
      t('dashboard.audit.csv_at', { zone }),
      t('dashboard.audit.chat'),
      t('dashboard.audit.who'),
      t('dashboard.audit.what'),
      t('dashboard.audit.whom'),
      t('dashboard.audit.rule'),
      t('dashboard.audit.reason'),
      t('dashboard.audit.csv_code'),
    ];
    let out = `\ufeff${csvLine(header)}`;
    for (const row of rows) {
      out += csvLine([
        row.id,
        stamp.format(row.at),
        row.chatTitle,
        words.actor(row),
        words.actionName(row.action),
        row.targetName,
        row.ruleNumber,
        row.reason,
        row.action,
      ]);
    }
    const day = services.clock.now().toISOString().slice(0, 10);
    return c.body(out, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="audit-${day}.csv"`,
    });
  });
}
