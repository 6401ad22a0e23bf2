import { Bot } from '@maxhub/max-bot-api';
import type { ButtonSpec } from '../port.js';

/** The API's base URL (the client's own default). */
export const DEFAULT_API_ROOT = 'https://platform-api2.max.ru/';

/** MAX allows 30 requests a second per token; a little below it, as calls start before MAX counts them. */
export const REQUESTS_PER_SECOND = 28;

/**
 * Requests start at most `perSecond` in any one second (a sliding window over real time), in the order
 * they asked: a burst waits its turn instead of earning 429s.
 */
export class RequestLimiter {
  private readonly stamps: number[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly perSecond: number) {}

  /** Resolves when one more request may start. */
  slot(): Promise<void> {
    const turn = this.tail.then(() => this.wait());
    this.tail = turn;
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.stamps.length > 0 && (this.stamps[0] ?? 0) <= now - 1000) this.stamps.shift();
      if (this.stamps.length < this.perSecond) {
        this.stamps.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, (this.stamps[0] ?? now) + 1000 - now + 1));
    }
  }
}

/**
 * The official client with a timeout on every request (it has none of its own) and the token's request
 * rate kept. A long poll gets its `timeout` plus a margin; every other call `timeoutMs`. The caller's own
 * signal (stop) still applies.
 */
export function createBot(
  token: string,
  apiRoot: string,
  timeoutMs: number,
  limiter: RequestLimiter | undefined = new RequestLimiter(REQUESTS_PER_SECOND),
  pollMarginMs = 15_000,
): Bot {
  // The client joins paths with `new URL(path, base)`: a base with a path must end in `/`.
  const baseUrl = apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
  const timedFetch: typeof fetch = async (input, init = {}) => {
    await limiter?.slot();
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const pollSeconds = url.pathname.endsWith('/updates') ? Number(url.searchParams.get('timeout') ?? 30) : 0;
    const limit = AbortSignal.timeout(pollSeconds > 0 ? pollSeconds * 1000 + pollMarginMs : timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, limit]) : limit;
    return fetch(input, { ...init, signal });
  };
  return new Bot(token, { clientOptions: { baseUrl, fetch: timedFetch } });
}

/** A button as MAX takes it: `callback` with our data as its payload, or `link`. */
function button(spec: ButtonSpec): Record<string, string> {
  if (spec.url) return { type: 'link', text: spec.text, url: spec.url };
  return { type: 'callback', text: spec.text, payload: spec.data ?? '' };
}

/** The inline keyboard attachment (`{type:'inline_keyboard', payload:{buttons}}`), or none. */
export function keyboard(buttons: ButtonSpec[][] | undefined): Array<Record<string, unknown>> {
  if (!buttons || buttons.length === 0) return [];
  return [{ type: 'inline_keyboard', payload: { buttons: buttons.map((row) => row.map(button)) } }];
}

/** `ChatMember` as the connector reads it. */
export interface WireMember {
  user_id: number;
  first_name?: string;
  last_name?: string | null;
  name?: string | null;
  username?: string | null;
  is_bot?: boolean;
  is_owner?: boolean;
  is_admin?: boolean;
  permissions?: string[] | null;
}
