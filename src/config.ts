import { z } from 'zod';
import { days, type PersonalDataConfig, personalDataKey } from './config-personal-data.js';

export { DEFAULT_PERSONAL_DATA, type PersonalDataConfig } from './config-personal-data.js';

/** Languages the bot speaks. Russian is the default and the reference for every text. */
export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/**
 * The environment, as SPEC.md's configuration table describes it. Each field carries the sentence a
 * person reads when the value is missing or malformed, so start-up can fail with one clear line.
 */
const EnvSchema = z
  .object({
    NODE_ENV: z.preprocess(emptyAsUndefined, z.string().default('development')),
    BOT_TOKEN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]+$/, {
          message: 'must look like 123456:ABC-DEF (the token BotFather gave)',
        })
        .optional(),
    ),
    TELEGRAM_API_ROOT: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://api.telegram.org' })
        .default('https://api.telegram.org'),
    ),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
          message: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/dbname',
        })
        .optional(),
    ),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
    BOT_MODE: z.preprocess(
      emptyAsUndefined,
      z.enum(['polling', 'webhook'], { message: "must be 'polling' or 'webhook'" }).default('polling'),
    ),
    WEBHOOK_URL: z.preprocess(
      emptyAsUndefined,
      z.url({ protocol: /^https?$/, message: 'must be the public https URL Telegram will call' }).optional(),
    ),
    WEBHOOK_SECRET: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, { message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -' })
        .optional(),
    ),
    HTTP_PORT: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ message: 'must be a port number' })
        .int({ message: 'must be a whole port number' })
        .min(0, { message: 'must be between 0 and 65535' })
        .max(65535, { message: 'must be between 0 and 65535' })
        .default(8080),
    ),
    HTTP_MAX_CONNECTIONS: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ message: 'must be a number of connections' })
        .int({ message: 'must be a whole number of connections' })
        .min(1, { message: 'must be between 1 and 100000' })
        .max(100_000, { message: 'must be between 1 and 100000' })
        .default(1024),
    ),
    DEFAULT_LANGUAGE: z.preprocess(
      emptyAsUndefined,
      z.enum(LANGUAGES, { message: "must be 'ru' or 'en'" }).default('ru'),
    ),
    TIMEZONE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Moscow' })
        .default('Europe/Moscow'),
    ),
    VK_TOKEN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9._-]{8,}$/, {
          message: 'must be the community access token from the VK community settings',
        })
        .optional(),
    ),
    MAX_TOKEN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9._:-]{8,}$/, { message: 'must be the bot token from the MAX partner platform' })
        .optional(),
    ),
    MAX_API_ROOT: z.preprocess(
      emptyAsUndefined,
      z
        .url({
          protocol: /^https?$/,
          message: 'must be an http(s) URL such as https://platform-api2.max.ru/',
        })
        .default('https://platform-api2.max.ru/'),
    ),
    MAX_MODE: z.preprocess(
      emptyAsUndefined,
      z.enum(['polling', 'webhook'], { message: "must be 'polling' or 'webhook'" }).default('polling'),
    ),
    MAX_WEBHOOK_URL: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^https$/, message: 'must be the public https URL MAX will call (port 443)' })
        .optional(),
    ),
    MAX_SECRET: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{5,256}$/, { message: 'must be 5-256 characters of A-Z, a-z, 0-9, _ and -' })
        .optional(),
    ),
    SANDBOX_HOST: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9.:[\]-]+$/, { message: 'must be a host name or address such as 127.0.0.1' })
        .default('127.0.0.1'),
    ),
    VK_GROUP_ID: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ message: 'must be the community id (a number)' })
        .int()
        .positive({ message: 'must be a positive number' })
        .optional(),
    ),
    VK_API_ROOT: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://api.vk.ru/method' })
        .default('https://api.vk.ru/method'),
    ),
    VK_MODE: z.preprocess(
      emptyAsUndefined,
      z.enum(['longpoll', 'callback'], { message: "must be 'longpoll' or 'callback'" }).default('longpoll'),
    ),
    VK_CALLBACK_PATH: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\/[A-Za-z0-9/_-]*$/, { message: 'must be a URL path such as /vk/callback' })
        .default('/vk/callback'),
    ),
    VK_CONFIRMATION: z.preprocess(emptyAsUndefined, z.string().min(1).max(64).optional()),
    VK_SECRET: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,50}$/, { message: 'must be 1-50 characters of A-Z, a-z, 0-9, _ and -' })
        .optional(),
    ),
    JOBS_INTERVAL_SECONDS: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ message: 'must be a number of seconds' })
        .int({ message: 'must be a whole number of seconds' })
        .min(1, { message: 'must be between 1 and 3600' })
        .max(3600, { message: 'must be between 1 and 3600' })
        .default(60),
    ),
    RETENTION_STRIKE_DAYS: days(365),
    RETENTION_DEPARTED_DAYS: days(30),
    RETENTION_AUDIT_DAYS: days(1095),
    PERSONAL_DATA_KEY: z.preprocess(
      emptyAsUndefined,
      z.string().min(32, { message: 'must be at least 32 characters (a random secret)' }).optional(),
    ),
    PUBLIC_URL: z.preprocess(
      emptyAsUndefined,
      z
        .url({
          protocol: /^https?$/,
          message: 'must be the http(s) URL people open the dashboard at, such as https://bot.school.ru',
        })
        .optional(),
    ),
    LOG_LEVEL: z.preprocess(
      emptyAsUndefined,
      z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          message: 'must be one of fatal, error, warn, info, debug, trace, silent',
        })
        .default('info'),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.BOT_MODE === 'webhook') {
      if (!env.WEBHOOK_URL) {
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'is required when BOT_MODE=webhook' });
      }
      if (!env.WEBHOOK_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['WEBHOOK_SECRET'],
          message: 'is required when BOT_MODE=webhook',
        });
      }
    }
    if (env.NODE_ENV === 'production' && !env.BOT_TOKEN && !env.VK_TOKEN && !env.MAX_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['BOT_TOKEN'],
        message: 'is required when NODE_ENV=production (or VK_TOKEN for VK, MAX_TOKEN for MAX)',
      });
    }
    if (env.VK_TOKEN && env.VK_MODE === 'callback') {
      if (!env.VK_CONFIRMATION) {
        ctx.addIssue({
          code: 'custom',
          path: ['VK_CONFIRMATION'],
          message: 'is required when VK_MODE=callback (the string VK shows in the Callback API settings)',
        });
      }
      if (!env.VK_SECRET)
        ctx.addIssue({ code: 'custom', path: ['VK_SECRET'], message: 'is required when VK_MODE=callback' });
    }
    if (env.MAX_TOKEN && env.MAX_MODE === 'webhook') {
      for (const variable of ['MAX_WEBHOOK_URL', 'MAX_SECRET'] as const) {
        if (!env[variable]) {
          ctx.addIssue({ code: 'custom', path: [variable], message: 'is required when MAX_MODE=webhook' });
        }
      }
    }
  });

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: string;
  botToken: string | undefined;
  telegramApiRoot: string;
  /** Unset means the embedded PGlite database under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  botMode: 'polling' | 'webhook';
  webhook: { url: string; secret: string } | undefined;
  httpPort: number;
  /** Connections the HTTP port holds at once; more are closed as they come. */
  httpMaxConnections: number;
  defaultLanguage: Language;
  timeZone: string;
  /** The VK community bot, when VK_TOKEN is set. */
  vk:
    | {
        token: string;
        groupId: number | undefined;
        apiRoot: string;
        mode: 'longpoll' | 'callback';
        callback: { path: string; confirmation: string; secret: string } | undefined;
      }
    | undefined;
  /** The MAX bot's token, when MAX_TOKEN is set. */
  maxToken: string | undefined;
  /** The MAX bot, when MAX_TOKEN is set: polling, or the webhook (its URL, its path on HTTP_PORT, the secret). */
  max:
    | {
        token: string;
        apiRoot: string;
        mode: 'polling' | 'webhook';
        webhook: { url: string; path: string; secret: string } | undefined;
      }
    | undefined;
  /** Where the sandbox's page listens (only ever without platform tokens, outside production). */
  sandboxHost: string;
  /** How often the scheduled jobs look for due work (lifts, vote closes, expired requests). */
  jobsIntervalSeconds: number;
  logLevel: Env['LOG_LEVEL'];
  /** Where people reach the bot's HTTP port (the dashboard's links); the port's own address when unset. */
  publicUrl: string | undefined;
  personalData: PersonalDataConfig;
}

/** Thrown for a bad environment; its message is the one line a person needs to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once. The first problem becomes a {@link ConfigError} naming the variable and
 * what it expects; values are never echoed, since some of them are secrets.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join('.') || 'environment';
    const present = issue && source[variable] !== undefined && source[variable] !== '';
    const message =
      issue?.code === 'invalid_type' && !present ? 'is required' : (issue?.message ?? 'is invalid');
    throw new ConfigError(`Configuration error: ${variable} ${message}`);
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    botToken: env.BOT_TOKEN,
    telegramApiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    botMode: env.BOT_MODE,
    webhook:
      env.WEBHOOK_URL && env.WEBHOOK_SECRET
        ? { url: env.WEBHOOK_URL, secret: env.WEBHOOK_SECRET }
        : undefined,
    httpPort: env.HTTP_PORT,
    httpMaxConnections: env.HTTP_MAX_CONNECTIONS,
    defaultLanguage: env.DEFAULT_LANGUAGE,
    timeZone: env.TIMEZONE,
    jobsIntervalSeconds: env.JOBS_INTERVAL_SECONDS,
    vk: env.VK_TOKEN
      ? {
          token: env.VK_TOKEN,
          groupId: env.VK_GROUP_ID,
          apiRoot: env.VK_API_ROOT.replace(/\/+$/, ''),
          mode: env.VK_MODE,
          callback:
            env.VK_MODE === 'callback' && env.VK_CONFIRMATION && env.VK_SECRET
              ? { path: env.VK_CALLBACK_PATH, confirmation: env.VK_CONFIRMATION, secret: env.VK_SECRET }
              : undefined,
        }
      : undefined,
    logLevel: env.LOG_LEVEL,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    maxToken: env.MAX_TOKEN,
    max: env.MAX_TOKEN
      ? {
          token: env.MAX_TOKEN,
          // The client joins paths with new URL(path, root): a root with a path must end in '/'.
          apiRoot: env.MAX_API_ROOT.endsWith('/') ? env.MAX_API_ROOT : `${env.MAX_API_ROOT}/`,
          mode: env.MAX_MODE,
          webhook:
            env.MAX_MODE === 'webhook' && env.MAX_WEBHOOK_URL && env.MAX_SECRET
              ? {
                  url: env.MAX_WEBHOOK_URL,
                  path: new URL(env.MAX_WEBHOOK_URL).pathname,
                  secret: env.MAX_SECRET,
                }
              : undefined,
        }
      : undefined,
    sandboxHost: env.SANDBOX_HOST,
    personalData: {
      strikeDays: env.RETENTION_STRIKE_DAYS,
      departedDays: env.RETENTION_DEPARTED_DAYS,
      auditDays: env.RETENTION_AUDIT_DAYS,
      key: personalDataKey(env),
    },
  };
}

/**
 * The sandbox (an emulated Telegram in the process, on an in-memory database) runs only when no platform
 * token of any kind is set and not in production: never silently instead of a real bot.
 */
export function wantsSandbox(config: Pick<Config, 'botToken' | 'vk' | 'maxToken' | 'env'>): boolean {
  return !config.botToken && !config.vk && !config.maxToken && config.env !== 'production';
}
