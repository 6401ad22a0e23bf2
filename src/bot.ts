import { App, type AppOptions } from './app.js';
import type { Config } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import { type Database, openDatabase } from './db/client.js';
import { apiRoutes } from './http/api.js';
import { HttpServer, type Route } from './http/server.js';
import { MessengerError } from './messenger/port.js';
import { TelegramMessenger } from './messenger/telegram/connector.js';
import { TelegramUpdateSource } from './messenger/telegram/update-source.js';
import type { PacingLimits } from './outbox/pacer.js';
import { claimDataDir } from './util/data-dir-lock.js';

export interface RunningBot {
  app: App;
  database: Database;
  telegram: TelegramMessenger;
  updates: TelegramUpdateSource;
  httpPort: number;
  /** Graceful stop: no new updates, in-flight work finished, database closed. */
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  pacing?: PacingLimits | null;
  pollTimeoutSeconds?: number;
  outbox?: AppOptions['outbox'];
  /** False for a replica that only runs jobs and the outbox (tests of several replicas). */
  receiveUpdates?: boolean;
  /** More routes on the bot's HTTP port (the sandbox's page and its API). */
  routes?: Route[];
}

/** Thrown for a problem a person must fix before the bot can start (the message says what). */
export class StartupError extends Error {
  override name = 'StartupError';
}

function describe(error: unknown): string {
  if (error instanceof MessengerError) return error.message;
  if (error instanceof Error) return (error as { code?: string }).code ?? error.message;
  return String(error);
}

/** The composition root: config → database → connector → app → HTTP → updates. */
export async function startBot(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningBot> {
  if (!config.botToken)
    throw new StartupError('Configuration error: BOT_TOKEN is required (the token BotFather gave)');
  const clock = options.clock ?? systemClock;
  let database = options.database;
  // A database handed in belongs to the caller (tests restart the bot on it); one opened here is ours.
  const ownsDatabase = !database;
  let releaseDataDir = () => {};
  if (!database) {
    if (!config.databaseUrl) {
      try {
        releaseDataDir = claimDataDir(config.dataDir, 'the bot');
      } catch (error) {
        throw new StartupError(`Database error: ${describe(error)}`);
      }
    }
    try {
      database = await openDatabase(
        config.databaseUrl
          ? { kind: 'postgres', url: config.databaseUrl }
          : { kind: 'pglite', dataDir: config.dataDir },
      );
    } catch (error) {
      const where = config.databaseUrl
        ? 'the database at DATABASE_URL'
        : `the embedded database in ${config.dataDir}`;
      releaseDataDir();
      throw new StartupError(`Database error: could not open ${where} (${describe(error)})`);
    }
  }
  // The connector keeps until_date inside Telegram's window by the same clock the core uses.
  const telegram = new TelegramMessenger({
    token: config.botToken,
    apiRoot: config.telegramApiRoot,
    log,
    now: () => clock.now().getTime(),
  });
  try {
    await telegram.init();
  } catch (error) {
    if (ownsDatabase) {
      await database.close();
      releaseDataDir();
    }
    throw new StartupError(
      `Telegram error: could not reach the Bot API at TELEGRAM_API_ROOT (${describe(error)})`,
    );
  }
  const app = await App.create({
    database,
    messengers: [telegram],
    log,
    clock,
    defaultLanguage: config.defaultLanguage,
    timeZone: config.timeZone,
    jobsIntervalSeconds: config.jobsIntervalSeconds,
    ...(options.pacing !== undefined ? { pacing: options.pacing } : {}),
    ...(options.outbox ? { outbox: options.outbox } : {}),
  });
  const updates = new TelegramUpdateSource(telegram, app.dispatcher.handle, log, {
    ...(options.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: options.pollTimeoutSeconds } : {}),
  });

  const http = new HttpServer(log);
  http.add({
    method: 'GET',
    path: '/healthz',
    async handle() {
      const [db, platform] = await Promise.all([
        database.ping().then(
          () => 'ok',
          () => 'unreachable',
        ),
        telegram.reachable().then((ok) => (ok ? 'ok' : 'unreachable')),
      ]);
      const healthy = db === 'ok' && platform === 'ok';
      return {
        status: healthy ? 200 : 503,
        body: { status: healthy ? 'ok' : 'degraded', database: db, telegram: platform },
      };
    },
  });
  http.add({
    method: 'GET',
    path: '/metrics',
    handle: async () => ({
      status: 200,
      body: await app.metricsText(),
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    }),
  });
  for (const route of apiRoutes(app.core, () => telegram.self.username)) http.add(route);
  for (const route of options.routes ?? []) http.add(route);
  const webhook = config.botMode === 'webhook' ? config.webhook : undefined;
  if (webhook) {
    http.add({
      method: 'POST',
      path: new URL(webhook.url).pathname,
      async handle(request) {
        const header = request.headers['x-telegram-bot-api-secret-token'];
        const status = await updates.handleWebhook(
          Array.isArray(header) ? header[0] : header,
          request.body,
          webhook.secret,
        );
        return { status };
      },
    });
  }
  let httpPort: number;
  try {
    httpPort = await http.listen(config.httpPort);
  } catch (error) {
    if (ownsDatabase) {
      await database.close();
      releaseDataDir();
    }
    throw new StartupError(
      `HTTP error: could not listen on HTTP_PORT ${config.httpPort} (${describe(error)})`,
    );
  }

  app.start();
  void app
    .registerCommandMenus()
    .catch((error: unknown) => log.warn({ err: error }, 'could not register command menus'));
  if (options.receiveUpdates === false) {
    // A worker-only replica: jobs and the outbox, no updates.
  } else if (webhook) await updates.setWebhook(webhook.url, webhook.secret);
  else await updates.startPolling();
  log.info(
    { mode: config.botMode, httpPort, bot: telegram.self.username, database: database.kind },
    'bot is ready',
  );

  let stopping: Promise<void> | undefined;
  return {
    app,
    database,
    telegram,
    updates,
    httpPort,
    stop() {
      stopping ??= (async () => {
        await updates.stop();
        await http.close();
        await app.stop();
        if (ownsDatabase) {
          await database.close();
          releaseDataDir();
        }
        log.info('bot stopped');
      })();
      return stopping;
    },
  };
}
