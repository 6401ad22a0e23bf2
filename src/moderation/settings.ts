import { z } from 'zod';

/**
 * A chat's settings: one schema drives validation, defaults and the `/settings` help. Keys are the
 * words a moderator types (`/settings strike_limit 4`).
 */

const onOff = z.enum(['on', 'off']);

/** The flood threshold's bounds: a member's messages within a time, as `/settings flood 7/60` sets it. */
export const FLOOD_LIMITS = { minMessages: 3, maxMessages: 100, minSeconds: 10, maxSeconds: 3600 } as const;

/** `7/60` → 7 messages within 60 seconds; undefined for `off` or anything out of bounds. */
export function parseFlood(value: string): { messages: number; windowMs: number } | undefined {
  const match = /^(\d{1,4})\/(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const messages = Number(match[1]);
  const seconds = Number(match[2]);
  if (messages < FLOOD_LIMITS.minMessages || messages > FLOOD_LIMITS.maxMessages) return undefined;
  if (seconds < FLOOD_LIMITS.minSeconds || seconds > FLOOD_LIMITS.maxSeconds) return undefined;
  return { messages, windowMs: seconds * 1000 };
}

export const SETTING_DEFINITIONS = {
  // 4.13.5 "более трех раз": a block comes only after more than three violations, so never below 3.
  strike_limit: { schema: z.number().int().min(3).max(10), default: 3, kind: 'integer' },
  block_days: { schema: z.number().int().min(1).max(31), default: 7, kind: 'integer' },
  block_mode: { schema: z.enum(['mute', 'ban']), default: 'mute', kind: 'choice' },
  // 4.13.6 "no participant objects": silence is consent only when everyone had half a day to object.
  vote_hours: { schema: z.number().int().min(12).max(168), default: 24, kind: 'integer' },
  rules_gate: { schema: onOff, default: 'on', kind: 'choice' },
  language: { schema: z.enum(['ru', 'en']), default: 'ru', kind: 'choice' },
  class: {
    schema: z
      .string()
      .regex(/^[\p{L}\p{N}-]{1,16}$/u)
      .nullable(),
    default: null,
    kind: 'class',
  },
  kind: { schema: z.enum(['class', 'parents', 'staff']), default: 'class', kind: 'choice' },
  strike_days: { schema: z.number().int().min(1).max(3650), default: 365, kind: 'integer' },
  gate_hours: { schema: z.number().int().min(1).max(168), default: 48, kind: 'integer' },
  // 4.11.2: a chat's /invite link is revoked after this many days, so an old link cannot open the chat.
  invite_link_days: { schema: z.number().int().min(1).max(30), default: 7, kind: 'integer' },
  // Help for the moderator (4.13.4): when a chat runs hot the rules are recalled once.
  heat_messages: { schema: z.number().int().min(5).max(1000), default: 30, kind: 'integer' },
  heat_minutes: { schema: z.number().int().min(1).max(60), default: 5, kind: 'integer' },
  heat_flagged: { schema: z.number().int().min(0).max(100), default: 2, kind: 'integer' },
  // Quiet hours: `off` or `HH:MM-HH:MM` in the bot's TIMEZONE.
  quiet_hours: {
    schema: z.string().regex(/^(?:off|(?:[01]\d|2[0-3]):[0-5]\d-(?:[01]\d|2[0-3]):[0-5]\d)$/),
    default: 'off',
    kind: 'hours',
  },
  announce_only: { schema: onOff, default: 'off', kind: 'choice' },
  // Flooding: `<messages>/<seconds>` by one member (3–100 messages within 10–3600 seconds), or `off`.
  flood: {
    schema: z.string().refine((value) => value === 'off' || parseFlood(value) !== undefined),
    default: '7/60',
    kind: 'flood',
  },
} as const;

export type SettingKey = keyof typeof SETTING_DEFINITIONS;
export const SETTING_KEYS = Object.keys(SETTING_DEFINITIONS) as SettingKey[];

export interface ChatSettings {
  strike_limit: number;
  block_days: number;
  block_mode: 'mute' | 'ban';
  vote_hours: number;
  rules_gate: 'on' | 'off';
  language: 'ru' | 'en';
  class: string | null;
  kind: 'class' | 'parents' | 'staff';
  strike_days: number;
  gate_hours: number;
  invite_link_days: number;
  heat_messages: number;
  heat_minutes: number;
  heat_flagged: number;
  quiet_hours: string;
  announce_only: 'on' | 'off';
  flood: string;
}

export function defaultSettings(language: ChatSettings['language']): ChatSettings {
  return {
    strike_limit: SETTING_DEFINITIONS.strike_limit.default,
    block_days: SETTING_DEFINITIONS.block_days.default,
    block_mode: SETTING_DEFINITIONS.block_mode.default,
    vote_hours: SETTING_DEFINITIONS.vote_hours.default,
    rules_gate: SETTING_DEFINITIONS.rules_gate.default,
    language,
    class: SETTING_DEFINITIONS.class.default,
    kind: SETTING_DEFINITIONS.kind.default,
    strike_days: SETTING_DEFINITIONS.strike_days.default,
    gate_hours: SETTING_DEFINITIONS.gate_hours.default,
    invite_link_days: SETTING_DEFINITIONS.invite_link_days.default,
    heat_messages: SETTING_DEFINITIONS.heat_messages.default,
    heat_minutes: SETTING_DEFINITIONS.heat_minutes.default,
    heat_flagged: SETTING_DEFINITIONS.heat_flagged.default,
    quiet_hours: SETTING_DEFINITIONS.quiet_hours.default,
    announce_only: SETTING_DEFINITIONS.announce_only.default,
    flood: SETTING_DEFINITIONS.flood.default,
  };
}

/**
 * Reads stored settings: only overrides are stored, anything missing or no longer valid falls back to
 * the default, so a chat's settings survive a change of the allowed ranges.
 */
export function readSettings(stored: unknown, language: ChatSettings['language']): ChatSettings {
  const settings = defaultSettings(language);
  if (!stored || typeof stored !== 'object') return settings;
  const record = stored as Record<string, unknown>;
  for (const key of SETTING_KEYS) {
    if (!(key in record)) continue;
    const parsed = SETTING_DEFINITIONS[key].schema.safeParse(record[key]);
    if (parsed.success) (settings as unknown as Record<string, unknown>)[key] = parsed.data;
  }
  return settings;
}

export type SettingChange =
  | { ok: true; key: SettingKey; value: ChatSettings[SettingKey]; overrides: Record<string, unknown> }
  | { ok: false; problem: 'unknown_key'; key: string }
  | { ok: false; problem: 'invalid_value'; key: SettingKey };

const TRUE_WORDS = new Set(['on', 'yes', 'true', '1', 'вкл', 'да', 'включить']);
const FALSE_WORDS = new Set(['off', 'no', 'false', '0', 'выкл', 'нет', 'выключить']);
const CLEAR_WORDS = new Set(['-', 'none', 'нет', 'off']);

function interpret(key: SettingKey, raw: string): unknown {
  const value = raw.trim();
  const kind = SETTING_DEFINITIONS[key].kind;
  if (kind === 'integer') return /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (kind === 'class') return CLEAR_WORDS.has(value.toLowerCase()) ? null : value.toUpperCase();
  const lower = value.toLowerCase();
  if (kind === 'hours') {
    if (FALSE_WORDS.has(lower)) return 'off';
    // «22:00–07:00», «22.00 - 7:00» → 22:00-07:00
    const match = /^(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})$/.exec(lower);
    return match
      ? `${match[1]?.padStart(2, '0')}:${match[2]}-${match[3]?.padStart(2, '0')}:${match[4]}`
      : lower;
  }
  if (kind === 'flood') {
    if (FALSE_WORDS.has(lower)) return 'off';
    // «7/60», «7 60», «7 за 60 с», «7 сообщений за 60 секунд» → 7/60
    const match = /^(\d{1,4})\s*(?:\/|\s)\s*(?:\p{L}+\s+)?(?:за\s+|in\s+)?(\d{1,5})\s*(?:\p{L}+\.?)?$/u.exec(
      lower,
    );
    return match ? `${Number(match[1])}/${Number(match[2])}` : lower;
  }
  if (key === 'rules_gate' || key === 'announce_only') {
    if (TRUE_WORDS.has(lower)) return 'on';
    if (FALSE_WORDS.has(lower)) return 'off';
  }
  return lower;
}

/**
 * Validates `/settings <key> <value>` against the current overrides. Returns the new overrides to store,
 * or why the change is refused; nothing is changed on refusal.
 */
export function changeSetting(overrides: Record<string, unknown>, key: string, raw: string): SettingChange {
  const normalizedKey = key.trim().toLowerCase();
  if (!(normalizedKey in SETTING_DEFINITIONS))
    return { ok: false, problem: 'unknown_key', key: normalizedKey };
  const settingKey = normalizedKey as SettingKey;
  const parsed = SETTING_DEFINITIONS[settingKey].schema.safeParse(interpret(settingKey, raw));
  if (!parsed.success) return { ok: false, problem: 'invalid_value', key: settingKey };
  return {
    ok: true,
    key: settingKey,
    value: parsed.data as ChatSettings[SettingKey],
    overrides: { ...overrides, [settingKey]: parsed.data },
  };
}

/** The allowed values of a setting, for the refusal message ("1–10", "mute or ban"). */
export function allowedValues(
  key: SettingKey,
):
  | { min: number; max: number }
  | { choices: string[] }
  | { class: true }
  | { hours: true }
  | { flood: typeof FLOOD_LIMITS } {
  const definition = SETTING_DEFINITIONS[key];
  if (definition.kind === 'flood') return { flood: FLOOD_LIMITS };
  if (definition.kind === 'class') return { class: true };
  if (definition.kind === 'hours') return { hours: true };
  const schema = definition.schema as z.ZodType;
  if (schema instanceof z.ZodEnum) return { choices: schema.options.map(String) };
  const number = schema as z.ZodNumber;
  return { min: number.minValue ?? 0, max: number.maxValue ?? 0 };
}
