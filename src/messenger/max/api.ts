import { Bot } from '@maxhub/max-bot-api';
import type { ButtonSpec } from '../port.js';

/** The API's base URL (the client's own default). */
export const DEFAULT_API_ROOT = 'https://platform-api2.max.ru/';

/**
 * The official client with a timeout on every request: it has none of its own. A long poll gets its
 * `timeout` plus a margin; every other call `timeoutMs`. The caller's own signal (stop) still applies.
 */
export function createBot(token: string, apiRoot: string, timeoutMs: number, pollMarginMs = 15_000): Bot {
  // The client joins paths with `new URL(path, base)`: a base with a path must end in `/`.
  const baseUrl = apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
  const timedFetch: typeof fetch = (input, init = {}) => {
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
