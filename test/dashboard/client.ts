import type { Harness } from '../support/harness.js';

/** A browser-like client over real HTTP: keeps cookies, follows nothing on its own. */
export class DashboardClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly h: Harness) {}

  get base(): string {
    return `http://localhost:${this.h.bot.httpPort}`;
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return { ...(cookie ? { cookie } : {}), ...extra };
  }

  async get(path: string): Promise<{ status: number; text: string; response: Response }> {
    const response = await fetch(`${this.base}${path}`, { headers: this.headers(), redirect: 'manual' });
    this.remember(response);
    return { status: response.status, text: await response.text(), response };
  }

  async post(path: string, form: Record<string, string>) {
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    this.remember(response);
    return { status: response.status, text: await response.text(), response };
  }

  /** The hidden `_csrf` of the last form on a page. */
  static csrfOf(page: string): string {
    const match = [...page.matchAll(/name="_csrf" value="([^"]+)"/g)].at(-1);
    if (!match?.[1]) throw new Error('no CSRF token on the page');
    return match[1];
  }

  /** Opens a sign-in link and presses "continue", as a person would. */
  async signInWith(link: string) {
    const path = new URL(link).pathname;
    const page = await this.get(path);
    if (page.status !== 200) return page;
    const token = /name="token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    return this.post('/dashboard/signin', { _csrf: DashboardClient.csrfOf(page.text), token });
  }
}

/** The link in the bot's last private message to this user. */
export function lastLink(h: Harness, userId: number): string {
  const text = h.api.lastBotMessage(userId)?.text ?? '';
  const link = /https?:\/\/\S+\/dashboard\/signin\/\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no dashboard link in: ${text}`);
  return link;
}
