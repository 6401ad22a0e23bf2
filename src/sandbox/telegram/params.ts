import { badRequest } from './errors.js';

/** Parameters of one call as received: JSON body values, or strings from a query/form with JSON fields decoded. */
export type Params = Readonly<Record<string, unknown>>;

/** Fields whose string form is JSON; decoded when they arrive as form or query strings. */
export const JSON_FIELDS: ReadonlySet<string> = new Set([
  'allowed_updates',
  'permissions',
  'reply_markup',
  'reply_parameters',
  'link_preview_options',
  'entities',
  'caption_entities',
  'scope',
  'commands',
  'message_ids',
  'rights',
  'results',
  'media',
  'options',
]);

/**
 * Reads parameters the way telegram-bot-api does: every value is a string underneath, so `"123"` and `123` are the
 * same number, `true`/`"true"`/`"yes"`/`"1"` are true, and an absent value reads as empty/0/false.
 */
export class ParamReader {
  constructor(readonly raw: Params) {}

  /** True when the parameter is present and not empty. */
  has(name: string): boolean {
    return this.string(name) !== '';
  }

  /** The parameter as a string; numbers and booleans are stringified, objects JSON-encoded, absent is `''`. */
  string(name: string): string {
    const value = this.raw[name];
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      return String(value);
    return JSON.stringify(value);
  }

  /** An integer like `td::to_integer`: leading digits, anything unparsable is `fallback`. */
  int(name: string, fallback = 0): number {
    const text = this.string(name).trim();
    if (text === '') return fallback;
    const value = Number.parseInt(text, 10);
    return Number.isNaN(value) ? 0 : value;
  }

  /** An integer clamped to `[min, max]`, as telegram-bot-api's `get_integer_arg`. */
  clampedInt(name: string, fallback: number, min: number, max: number): number {
    return Math.min(max, Math.max(min, this.int(name, fallback)));
  }

  /** `true`, `yes` or `1` (any case) is true; everything else is false. */
  bool(name: string): boolean {
    const text = this.string(name).trim().toLowerCase();
    return text === 'true' || text === 'yes' || text === '1';
  }

  /**
   * A JSON parameter: given as an object/array, or as a JSON string.
   * @param what how Telegram names it in "can't parse … JSON object" errors
   */
  json(name: string, what: string): unknown {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw badRequest(`Can't parse ${what} JSON object`);
    }
  }

  /** The raw `chat_id` (numeric or `@username`); `400 chat_id is empty` when absent. */
  chatId(name = 'chat_id'): string {
    const id = this.string(name).trim();
    if (id === '') throw badRequest(`${name} is empty`);
    return id;
  }

  /** A positive user id; `400 invalid user_id specified` otherwise. */
  userId(name = 'user_id'): number {
    const id = this.int(name);
    if (id <= 0) throw badRequest(`Invalid ${name} specified`);
    return id;
  }
}

/** Decodes JSON-looking values of {@link JSON_FIELDS} in string parameters (query string, form, multipart). */
export function decodeStringParams(entries: Iterable<[string, string]>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    params[key] = JSON_FIELDS.has(key) ? decodeJson(value) : value;
  }
  return params;
}

function decodeJson(value: string): unknown {
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}
