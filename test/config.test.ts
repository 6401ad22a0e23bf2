import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, wantsSandbox } from '../src/config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      botToken: undefined,
      telegramApiRoot: 'https://api.telegram.org',
      databaseUrl: undefined,
      dataDir: './data',
      botMode: 'polling',
      httpPort: 8080,
      httpMaxConnections: 1024,
      defaultLanguage: 'ru',
      timeZone: 'Europe/Moscow',
      jobsIntervalSeconds: 60,
    });
  });

  it('reads every variable of the table', () => {
    const config = loadConfig({
      BOT_TOKEN: '123:abc',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9000/',
      DATABASE_URL: 'postgres://u:p@db:5432/school',
      DATA_DIR: '/var/lib/bot',
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.school.example/telegram',
      WEBHOOK_SECRET: 's3cret_token',
      HTTP_PORT: '3000',
      HTTP_MAX_CONNECTIONS: '200',
      DEFAULT_LANGUAGE: 'en',
      TIMEZONE: 'Asia/Yekaterinburg',
    });
    expect(config).toMatchObject({
      botToken: '123:abc',
      telegramApiRoot: 'http://127.0.0.1:9000',
      databaseUrl: 'postgres://u:p@db:5432/school',
      dataDir: '/var/lib/bot',
      botMode: 'webhook',
      webhook: { url: 'https://bot.school.example/telegram', secret: 's3cret_token' },
      httpPort: 3000,
      httpMaxConnections: 200,
      defaultLanguage: 'en',
      timeZone: 'Asia/Yekaterinburg',
    });
  });

  it.each([
    [{ BOT_MODE: 'websocket' }, "Configuration error: BOT_MODE must be 'polling' or 'webhook'"],
    [
      { DATABASE_URL: 'mysql://root@localhost/db' },
      'Configuration error: DATABASE_URL must be a PostgreSQL URL',
    ],
    [{ DATABASE_URL: 'not a url' }, 'Configuration error: DATABASE_URL must be a PostgreSQL URL'],
    [{ BOT_MODE: 'webhook' }, 'Configuration error: WEBHOOK_URL is required when BOT_MODE=webhook'],
    [
      { BOT_MODE: 'webhook', WEBHOOK_URL: 'https://x.example/h' },
      'Configuration error: WEBHOOK_SECRET is required',
    ],
    [{ WEBHOOK_SECRET: 'has spaces in it' }, 'Configuration error: WEBHOOK_SECRET must be 1-256 characters'],
    [{ HTTP_PORT: 'eighty' }, 'Configuration error: HTTP_PORT must be a port number'],
    [{ HTTP_PORT: '70000' }, 'Configuration error: HTTP_PORT must be between 0 and 65535'],
    [{ HTTP_MAX_CONNECTIONS: '0' }, 'Configuration error: HTTP_MAX_CONNECTIONS must be between 1 and 100000'],
    [{ DEFAULT_LANGUAGE: 'de' }, "Configuration error: DEFAULT_LANGUAGE must be 'ru' or 'en'"],
    [{ TIMEZONE: 'Moscow' }, 'Configuration error: TIMEZONE must be an IANA time zone'],
    [{ JOBS_INTERVAL_SECONDS: '0' }, 'Configuration error: JOBS_INTERVAL_SECONDS must be between 1 and 3600'],
    [{ BOT_TOKEN: 'not-a-token' }, 'Configuration error: BOT_TOKEN must look like'],
    [{ NODE_ENV: 'production' }, 'Configuration error: BOT_TOKEN is required when NODE_ENV=production'],
    [
      { TELEGRAM_API_ROOT: 'ftp://example.org' },
      'Configuration error: TELEGRAM_API_ROOT must be an http(s) URL',
    ],
    [
      { MAX_TOKEN: 'short' },
      'Configuration error: MAX_TOKEN must be the bot token from the MAX partner platform',
    ],
    [{ MAX_API_ROOT: 'max.ru' }, 'Configuration error: MAX_API_ROOT must be an http(s) URL'],
    [{ MAX_MODE: 'longpoll' }, "Configuration error: MAX_MODE must be 'polling' or 'webhook'"],
    [
      { MAX_TOKEN: 'max-token-abcdef', MAX_MODE: 'webhook' },
      'Configuration error: MAX_WEBHOOK_URL is required when MAX_MODE=webhook',
    ],
    [
      { MAX_TOKEN: 'max-token-abcdef', MAX_MODE: 'webhook', MAX_WEBHOOK_URL: 'https://bot.example/max' },
      'Configuration error: MAX_SECRET is required when MAX_MODE=webhook',
    ],
    [
      { MAX_WEBHOOK_URL: 'http://bot.example/max' },
      'Configuration error: MAX_WEBHOOK_URL must be the public https URL MAX will call',
    ],
    [{ MAX_SECRET: 'abc' }, 'Configuration error: MAX_SECRET must be 5-256 characters'],
  ])('%j stops start-up with one line naming the variable', (env, expected) => {
    let message = '';
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message.startsWith(expected)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('never echoes a secret value in its message', () => {
    const secret = 'postgres://admin:VerySecretPassword@db';
    expect(() => loadConfig({ DATABASE_URL: `${secret} trailing` })).toThrow(ConfigError);
    try {
      loadConfig({ DATABASE_URL: `${secret} trailing` });
    } catch (error) {
      expect((error as Error).message).not.toContain('VerySecretPassword');
    }
    try {
      loadConfig({ BOT_TOKEN: 'oops-123:leaked' });
    } catch (error) {
      expect((error as Error).message).not.toContain('leaked');
    }
  });

  it('reads the MAX bot: polling by default, or the webhook with its path on HTTP_PORT', () => {
    expect(loadConfig({ MAX_TOKEN: 'max-token-abcdef' }).max).toEqual({
      token: 'max-token-abcdef',
      apiRoot: 'https://platform-api2.max.ru/',
      mode: 'polling',
      webhook: undefined,
    });
    expect(
      loadConfig({
        MAX_TOKEN: 'max-token-abcdef',
        MAX_API_ROOT: 'http://127.0.0.1:9000/proxy',
        MAX_MODE: 'webhook',
        MAX_WEBHOOK_URL: 'https://bot.school.example/max/hook',
        MAX_SECRET: 'max_secret-1',
      }).max,
    ).toEqual({
      token: 'max-token-abcdef',
      // The client joins paths with new URL(path, root): a root with a path gets its trailing slash.
      apiRoot: 'http://127.0.0.1:9000/proxy/',
      mode: 'webhook',
      webhook: { url: 'https://bot.school.example/max/hook', path: '/max/hook', secret: 'max_secret-1' },
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ BOT_MODE: '', HTTP_PORT: '' })).toMatchObject({ botMode: 'polling', httpPort: 8080 });
  });
});

describe('the sandbox runs only without any platform token, and never in production', () => {
  it.each([
    [{}, true],
    [{ BOT_TOKEN: '123:abcdefgh' }, false],
    [{ VK_TOKEN: 'vk1.a.abcdefghijk' }, false],
    [{ MAX_TOKEN: 'max-token-abcdef' }, false],
  ])('%j → sandbox: %s', (env, sandbox) => {
    expect(wantsSandbox(loadConfig(env))).toBe(sandbox);
  });

  it('refuses to start in production without a platform token', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      'Configuration error: BOT_TOKEN is required when NODE_ENV=production',
    );
  });
});
