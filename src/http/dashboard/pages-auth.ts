import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import {
  linkState,
  redeemLink,
  signInWithSchoolToken,
  signOut,
  viewerOf,
} from '../../features/dashboard/index.js';
import { newSecret, sameSecret } from '../../features/dashboard/tokens.js';
import type { Services } from '../../runtime/services.js';
import { html, page } from './html.js';
import {
  checkCsrf,
  chooseLanguage,
  clientKey,
  type DashboardEnv,
  PRESIGN_COOKIE,
  readForm,
  requireViewer,
  SESSION_COOKIE,
  SignInLimiter,
  sameOrigin,
  secureCookies,
  setSessionCookie,
} from './session.js';

type Ctx = Context<DashboardEnv>;

/** A fresh double-submit token for a sign-in form: in a SameSite=Strict cookie and in the form. */
function presignToken(c: Ctx, secure: boolean): string {
  const token = newSecret();
  setCookie(c, PRESIGN_COOKIE, token, { path: '/dashboard', httpOnly: true, sameSite: 'Strict', secure });
  return token;
}

function refusal(c: Ctx, status: 400 | 403 | 404 | 410 | 429, title: string, text: string) {
  const t = c.var.t;
  const body = html`<p class="refusal" role="alert">${text}</p>
    <p>${t('dashboard.signin.how')}</p>
    <p><a href="/dashboard">${t('dashboard.signin.back')}</a></p>`;
  return c.html(page({ t, language: c.var.language, title, body }), status);
}

/** Sign-in: the link from `/dashboard` (or the CLI), the school's API token, and signing out. */
export function authRoutes(app: Hono<DashboardEnv>, services: Services): void {
  const limiter = new SignInLimiter(() => services.clock.now().getTime());
  const secure = () => secureCookies(services);

  const tooMany = (c: Ctx) => {
    const t = c.var.t;
    c.header('retry-after', String(Math.ceil(limiter.windowMs / 1000)));
    return refusal(c, 429, t('dashboard.signin.refused_title'), t('dashboard.signin.throttled'));
  };

  app.get('/dashboard', async (c) => {
    if (await viewerOf(services, getCookie(c, SESSION_COOKIE))) return c.redirect('/dashboard/overview', 303);
    const t = c.var.t;
    const body = html`<p>${t('dashboard.signin.moderator_hint')}</p>
      <h2>${t('dashboard.signin.school_heading')}</h2>
      <form method="post" action="/dashboard/login" class="stack">
        <input type="hidden" name="_csrf" value="${presignToken(c, secure())}">
        <label for="token">${t('dashboard.signin.token_label')}</label>
        <input id="token" name="token" type="password" autocomplete="off" required>
        <button type="submit">${t('dashboard.signin.submit')}</button>
      </form>`;
    return c.html(page({ t, language: c.var.language, title: t('dashboard.signin.title'), body }));
  });

  const refusedLink = (c: Ctx, reason: 'expired' | 'used' | 'unknown') => {
    const t = c.var.t;
    const status = reason === 'unknown' ? 404 : 410;
    return refusal(c, status, t('dashboard.signin.refused_title'), t(`dashboard.signin.link_${reason}`));
  };

  // Opening the link only asks to continue: a messenger's link preview must not use it up.
  app.get('/dashboard/signin/:token', async (c) => {
    const token = c.req.param('token');
    if (limiter.blocked(clientKey(c))) return tooMany(c);
    const state = await linkState(services, token);
    if (state !== 'valid') {
      limiter.failed(clientKey(c));
      return refusedLink(c, state);
    }
    const t = c.var.t;
    const body = html`<p>${t('dashboard.signin.continue_text')}</p>
      <form method="post" action="/dashboard/signin">
        <input type="hidden" name="_csrf" value="${presignToken(c, secure())}">
        <input type="hidden" name="token" value="${token}">
        <button type="submit">${t('dashboard.signin.continue')}</button>
      </form>`;
    return c.html(page({ t, language: c.var.language, title: t('dashboard.signin.title'), body }));
  });

  const presignOk = (c: Ctx) =>
    sameOrigin(c) && sameSecret(c.var.form._csrf, getCookie(c, PRESIGN_COOKIE) ?? '');

  app.post('/dashboard/signin', readForm, async (c) => {
    if (!presignOk(c)) return c.text(c.var.t('dashboard.page.csrf_refused'), 403);
    if (limiter.blocked(clientKey(c))) return tooMany(c);
    const result = await redeemLink(services, c.var.form.token);
    if (!result.ok) {
      limiter.failed(clientKey(c));
      return refusedLink(c, result.reason);
    }
    deleteCookie(c, PRESIGN_COOKIE, { path: '/dashboard' });
    setSessionCookie(c, result.session, secure());
    return c.redirect('/dashboard/overview', 303);
  });

  app.post('/dashboard/login', readForm, async (c) => {
    if (!presignOk(c)) return c.text(c.var.t('dashboard.page.csrf_refused'), 403);
    if (limiter.blocked(clientKey(c))) return tooMany(c);
    const session = await signInWithSchoolToken(services, c.var.form.token ?? '');
    if (!session) {
      limiter.failed(clientKey(c));
      const t = c.var.t;
      return refusal(c, 403, t('dashboard.signin.refused_title'), t('dashboard.signin.token_refused'));
    }
    deleteCookie(c, PRESIGN_COOKIE, { path: '/dashboard' });
    setSessionCookie(c, session, secure());
    return c.redirect('/dashboard/overview', 303);
  });

  app.post('/dashboard/signout', requireViewer(services), readForm, checkCsrf, async (c) => {
    await signOut(services, getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/dashboard' });
    return c.redirect('/dashboard', 303);
  });

  app.get('/dashboard/language/:language', (c) => {
    const language = c.req.param('language');
    if (language !== 'ru' && language !== 'en') return c.notFound();
    chooseLanguage(c, language, secure());
    return c.redirect('/dashboard', 303);
  });
}
