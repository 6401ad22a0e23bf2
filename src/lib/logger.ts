import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths that may hold secrets; pino replaces them before anything is written. */
const REDACT = [
  'token',
  'botToken',
  'config.botToken',
  'config.databaseUrl',
  'config.webhook.secret',
  'secret',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-telegram-bot-api-secret-token"]',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: '[REDACTED]' },
    base: { app: 'class-chat-moderator' },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
