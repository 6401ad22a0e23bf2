import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { LRUCache } from 'lru-cache';
import type { Language } from '../../config.js';
import { type NewSession, SESSION_TTL_MS, type Viewer, viewerOf } from '../../features/dashboard/index.js';
import { sameSecret } from '../../features/dashboard/tokens.js';
import type { Translate } from '../../i18n/index.js';
import type { Services } from '../../runtime/services.js';
import { limitBody } from '../body.js';
import type { HttpEnv } from '../context.js';

export const SESSION_COOKIE = 'ccm_dashboard';
/** The sign-in forms' CSRF cookie (double submit): there is no session to tie them to yet. */
export const PRESIGN_COOKIE = 'ccm_dashboard_pre';
const LANGUAGE_COOKIE = 'ccm_dashboard_lang';
/** Form bodies are small: a token, a reason, a few filters. */
export const FORM_LIMIT = 16 * 1024;

export type DashboardEnv = {
  Bindings: HttpEnv['Bindings'];
  Variables: HttpEnv['Variables'] & {
    viewer: Viewer;
    t: Translate;
    language: Language;
    form: Record<string, string>;
  };
};

/**
 * The dashboard's own content security policy: only the bot's files run or style a page (no inline code),
 * no framing, forms post only here. It holds with or without a global policy on the server.
 */
export const pagePolicy: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  await next();
  c.header(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
};

/** Whether cookies must be Secure: the dashboard is reached over https. */
export function secureCookies(services: Services): boolean {
  return (services.deps.publicUrl?.() ?? '').startsWith('https:');
}

/** The page's language: the one chosen on the page, else the browser's, else the bot's default. */
export const withLanguage =
  (services: Services): MiddlewareHandler<DashboardEnv> =>
  async (c, next) => {
    const chosen = getCookie(c, LANGUAGE_COOKIE);
    const browser = (c.req.header('accept-language') ?? '').slice(0, 2).toLowerCase();
    const language: Language =
      chosen === 'ru' || chosen === 'en'
        ? chosen
        : browser === 'ru' || browser === 'en'
          ? browser
          : services.deps.defaultLanguage;
    c.set('language', language);
    c.set('t', services.texts.t(language));
    return next();
  };

export function chooseLanguage(c: Context<DashboardEnv>, language: Language, secure: boolean): void {
  setCookie(c, LANGUAGE_COOKIE, language, {
    path: '/dashboard',
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    maxAge: 365 * 24 * 3600,
  });
}

export function setSessionCookie(c: Context, session: NewSession, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, session.cookie, {
    path: '/dashboard',
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    // The browser forgets it when the session ends on the server (8 hours).
    maxAge: SESSION_TTL_MS / 1000,
  });
}

/** The middleware every signed-in route puts first. */
export type SignedIn = MiddlewareHandler<DashboardEnv>;

/** Redirects to the sign-in page unless a live session is presented; sets `viewer`. */
export const requireViewer =
  (services: Services): MiddlewareHandler<DashboardEnv> =>
  async (c, next) => {
    const viewer = await viewerOf(services, getCookie(c, SESSION_COOKIE));
    if (!viewer) {
      if (c.req.path.startsWith('/dashboard/api/')) {
        return c.json({ error: 'sign in first' }, 401);
      }
      return c.redirect('/dashboard', 303);
    }
    c.set('viewer', viewer);
    return next();
  };

const limitForm = limitBody(FORM_LIMIT) as unknown as MiddlewareHandler<DashboardEnv>;

/** Reads an urlencoded form body (small, within the server's body budget) into `form`; anything else is refused. */
export const readForm: MiddlewareHandler<DashboardEnv> = (c, next) =>
  limitForm(c, async () => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      c.res = c.text('form expected', 415);
      return;
    }
    const params = new URLSearchParams(await c.req.text());
    const form: Record<string, string> = {};
    for (const [key, value] of params) form[key] = value;
    c.set('form', form);
    await next();
  });

/** The form must carry the session's CSRF token (and come from our own origin, when the browser says). */
export const checkCsrf: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  if (!sameOrigin(c) || !sameSecret(c.var.form._csrf, c.var.viewer.csrf)) {
    return c.text(c.var.t('dashboard.page.csrf_refused'), 403);
  }
  return next();
};

/** A browser's Origin header, when sent, must be this host's. */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
}

/**
 * Failed sign-in attempts per client address: past `max` within `windowMs` every attempt is refused
 * (429) until the window has passed, so a token or link cannot be guessed by trying.
 */
export class SignInLimiter {
  private readonly failures = new LRUCache<string, { count: number; since: number }>({ max: 50_000 });

  constructor(
    private readonly now: () => number,
    readonly max = 10,
    readonly windowMs = 15 * 60_000,
  ) {}

  blocked(key: string): boolean {
    const entry = this.failures.get(key);
    if (!entry) return false;
    if (this.now() - entry.since >= this.windowMs) {
      this.failures.delete(key);
      return false;
    }
    return entry.count >= this.max;
  }

  failed(key: string): void {
    const entry = this.failures.get(key);
    if (!entry || this.now() - entry.since >= this.windowMs) {
      this.failures.set(key, { count: 1, since: this.now() });
    } else {
      entry.count += 1;
    }
  }
}

export function clientKey(c: Context<DashboardEnv>): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
