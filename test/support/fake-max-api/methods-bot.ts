import { type Method, SUCCESS } from './context.js';
import { MAX_ERRORS } from './errors.js';
import { isRecord } from './world.js';

/** Schema limits of getUpdates. */
const LIMIT = { min: 1, max: 1000, default: 100 } as const;
const TIMEOUT_S = { min: 0, max: 90, default: 30 } as const;
const SECRET = /^[A-Za-z0-9_-]{5,256}$/;

/** `/me`, `/updates` and `/subscriptions`. */
export const BOT_METHODS: Readonly<Record<string, Method>> = {
  'GET /me': (ctx) => ({
    ...ctx.wire.user(ctx.world.bot),
    description: null,
    avatar_url: null,
    full_avatar_url: null,
    commands: ctx.world.commands.length > 0 ? ctx.world.commands : null,
  }),

  'PATCH /me/commands': (ctx, call) => {
    const list: unknown[] =
      isRecord(call.body) && Array.isArray(call.body.commands) ? call.body.commands : [];
    ctx.world.commands = list;
    return { commands: list };
  },

  /** Long polling; while the bot has webhook subscriptions it is refused (schema: "cannot be used simultaneously"). */
  'GET /updates': async (ctx, call) => {
    if (ctx.webhooks.active) throw MAX_ERRORS.pollingWhileSubscribed();
    const limit = clamp(call.query.int('limit') ?? LIMIT.default, LIMIT.min, LIMIT.max);
    const timeoutS = clamp(call.query.int('timeout') ?? TIMEOUT_S.default, TIMEOUT_S.min, TIMEOUT_S.max);
    return ctx.queue.poll(
      { marker: call.query.int('marker'), limit, timeoutS, types: call.query.list('types') },
      call.signal,
    );
  },

  'GET /subscriptions': (ctx) => ({
    subscriptions: ctx.webhooks.subscriptions.map((s) => ({
      url: s.url,
      time: s.time,
      update_types: s.updateTypes ? [...s.updateTypes] : null,
    })),
  }),

  'POST /subscriptions': (ctx, call) => {
    if (!isRecord(call.body)) throw MAX_ERRORS.payload('Request body is required');
    const { url, secret, update_types: types } = call.body;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw MAX_ERRORS.payload('url: must be an absolute https:// URL');
    }
    if (secret !== undefined && secret !== null && (typeof secret !== 'string' || !SECRET.test(secret))) {
      throw MAX_ERRORS.payload('secret: 5-256 characters of A-Z, a-z, 0-9, _ and -');
    }
    if (types !== undefined && types !== null && !Array.isArray(types)) {
      throw MAX_ERRORS.payload('update_types: must be an array');
    }
    const updateTypes = Array.isArray(types) && types.length > 0 ? types.map(String) : undefined;
    ctx.webhooks.subscribe({
      url,
      secret: typeof secret === 'string' ? secret : undefined,
      updateTypes,
      time: ctx.world.now(),
    });
    return SUCCESS;
  },

  'DELETE /subscriptions': (ctx, call) => {
    const url = call.query.requireString('url');
    return ctx.webhooks.unsubscribe(url)
      ? SUCCESS
      : { success: false, message: `No subscription for ${url}` };
  },
};

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
