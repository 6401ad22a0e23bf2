import type { Context } from 'hono';
import type { Translate } from '../../i18n/index.js';
import { type Html, html, type NavItem, page } from './html.js';
import type { DashboardEnv } from './session.js';

/** The pages in the navigation; the school's administrator also has the roster and the requests. */
export function navigation(t: Translate, role: 'moderator' | 'school', path: string): NavItem[] {
  const items: Array<[string, string]> = [
    ['/dashboard/overview', t('dashboard.nav.overview')],
    ['/dashboard/audit', t('dashboard.nav.audit')],
    ['/dashboard/failed', t('dashboard.nav.failed')],
  ];
  if (role === 'school') {
    items.push(['/dashboard/roster', t('dashboard.nav.roster')]);
    items.push(['/dashboard/attachments', t('dashboard.nav.attachments')]);
  }
  return items.map(([href, label]) => ({ href, label, current: path === href }));
}

/** A signed-in page: the layout with the viewer's name, the navigation and the CSRF token. */
export function signedInPage(
  c: Context<DashboardEnv>,
  title: string,
  body: Html,
  options: { scripts?: string[]; status?: 200 | 404 } = {},
): Response {
  const { viewer, t, language } = c.var;
  return c.html(
    page({
      t,
      language,
      title,
      body,
      session: { name: viewer.name, nav: navigation(t, viewer.role, c.req.path), csrf: viewer.csrf },
      ...(options.scripts ? { scripts: options.scripts } : {}),
    }),
    options.status ?? 200,
  );
}

/** 404 for a chat, an action or a person the viewer may not see: the same as for one that does not exist. */
export function notFound(c: Context<DashboardEnv>): Response {
  const t = c.var.t;
  const body = html`<p>${t('dashboard.page.not_found')}</p><p><a href="/dashboard/overview">${t('dashboard.nav.overview')}</a></p>`;
  return signedInPage(c, t('dashboard.page.not_found_title'), body, { status: 404 });
}
