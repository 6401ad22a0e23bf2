import type { Translate } from '../../i18n/index.js';

/** A piece of HTML already escaped; interpolating it into {@link html} leaves it as it is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** HTML with every interpolated value escaped (arrays joined), unless it is {@link Html} already. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

export interface PageOptions {
  t: Translate;
  language: 'ru' | 'en';
  title: string;
  body: Html;
  /** The signed-in viewer's name, navigation and CSRF token; none on the sign-in pages. */
  session?: { name: string; nav: NavItem[]; csrf: string };
  /** Extra scripts (served by the bot) this page needs. */
  scripts?: string[];
}

/** A whole page: no inline script or style (the CSP allows only the bot's own files). */
export function page(options: PageOptions): string {
  const { t, session } = options;
  const other = options.language === 'ru' ? 'en' : 'ru';
  const header = session
    ? html`<header class="top">
        <p class="who">${t('dashboard.page.signed_in_as', { name: session.name })}</p>
        <nav aria-label="${t('dashboard.page.nav_label')}"><ul>
          ${session.nav.map(
            (item) =>
              html`<li><a href="${item.href}"${item.current ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
          )}
        </ul></nav>
        <form method="post" action="/dashboard/signout" class="signout">
          <input type="hidden" name="_csrf" value="${session.csrf}">
          <button type="submit">${t('dashboard.page.sign_out')}</button>
        </form>
      </header>`
    : '';
  return `<!doctype html>${html`<html lang="${options.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} — ${t('dashboard.page.product')}</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<link rel="stylesheet" href="/dashboard/assets/uPlot.min.css">
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">${t('dashboard.page.skip')}</a>
${header}
<main id="main">
<h1>${options.title}</h1>
${options.body}
</main>
<footer><a href="/dashboard/language/${other}" lang="${other}">${t('dashboard.page.other_language')}</a></footer>
</body>
</html>`}`;
}
