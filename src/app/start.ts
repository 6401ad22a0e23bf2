import type { Hono } from 'hono';
import type { Config } from '../config.js';
import { type Database, openDatabase } from '../db/client.js';
import { openReadOnlyCache } from '../db/read-only-cache.js';
import { apiRoutes } from '../http/api.js';
import type { HttpEnv } from '../http/context.js';
import { dashboardRoutes } from '../http/dashboard/index.js';
import { healthRoutes } from '../http/health.js';
import { HttpServer, type HttpServerOptions } from '../http/server.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { claimDataDir } from '../lib/data-dir-lock.js';
import type { Logger } from '../lib/logger.js';
import type { Attached, Connector } from '../messenger/connector.js';
import type { MaxMessenger } from '../messenger/max/connector.js';
import { createConnector as createMaxConnector } from '../messenger/max/index.js';
import type { MaxUpdateSource } from '../messenger/max/update-source.js';
import { type Messenger, MessengerError } from '../messenger/port.js';
import type { TelegramMessenger } from '../messenger/telegram/connector.js';
import { createConnector as createTelegramConnector } from '../messenger/telegram/index.js';
import type { TelegramUpdateSource } from '../messenger/telegram/update-source.js';
import type { VkMessenger } from '../messenger/vk/connector.js';
import { createConnector as createVkConnector } from '../messenger/vk/index.js';
import type { VkUpdateSource } from '../messenger/vk/update-source.js';
import type { PacingLimits } from '../outbox/pacer.js';
import { gaugeFrom } from '../runtime/metrics.js';
import { App, type AppOptions } from './app.js';

export interface RunningBot {
  app: App;
  database: Database;
  /** The Telegram connector, when BOT_TOKEN is set. */
  telegram: TelegramMessenger | undefined;
  updates: TelegramUpdateSource | undefined;
  /** The VK connector, when VK_TOKEN is set. */
  vk: { messenger: VkMessenger; updates: VkUpdateSource } | undefined;
  /** The MAX connector, when MAX_TOKEN is set. */
  max: { messenger: MaxMessenger; updates: MaxUpdateSource } | undefined;
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
  /** How long the read-only cache trusts a chat's list without news (tests lengthen it). */
  readOnlyTtlMs?: number;
  /** More routes on the bot's HTTP port (the sandbox's page and its API), as a Hono sub-app. */
  routes?: Hono<HttpEnv>;
  /** Where HTTP_PORT listens: every interface for a real bot (webhooks, health checks); the sandbox narrows it. */
  listenHost?: string;
  /** The HTTP server's timeouts and body budget, for tests; `HTTP_MAX_CONNECTIONS` comes from the config. */
  http?: Partial<Omit<HttpServerOptions, 'maxConnections'>>;
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

/**
 * Tries again after a passing failure with growing pauses (up to 8 s). A platform that answers 5xx or 429 is
 * there and having an outage: the bot waits it out however long it lasts, saying so in the log, instead of
 * exiting into a restart loop (updates wait at the platform meanwhile). An API that cannot be reached at
 * all is more likely a wrong address: after `attempts` such failures in a row the start fails, and says so.
 */
async function withRetries<T>(fn: () => Promise<T>, log: Logger, what: string, attempts = 5): Promise<T> {
  for (let attempt = 1, unreachable = 0; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof MessengerError) || !error.retryable) throw error;
      if (error.code === 'NETWORK') unreachable += 1;
      else unreachable = 0;
      if (unreachable >= attempts) throw error;
      const pause = Math.max(
        (error.details.retryAfterSeconds ?? 0) * 1000,
        Math.min(8000, 500 * 2 ** (Math.min(attempt, 5) - 1)),
      );
      log.warn({ err: error, attempt, pauseMs: pause }, `${what} failed at start-up; trying again`);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** The composition root: config → database → connectors → app → HTTP → updates. */
export async function startBot(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningBot> {
  if (!config.botToken && !config.vk && !config.maxToken) {
    throw new StartupError(
      'Configuration error: BOT_TOKEN is required (the token BotFather gave), or VK_TOKEN for VK, MAX_TOKEN for MAX',
    );
  }
  const clock = options.clock ?? systemClock;
  let database = options.database;
  // A database handed in belongs to the caller (tests restart the bot on it); one opened here is ours.
  const ownsDatabase = !database;
  let releaseDataDir = () => {};
  if (!database && !config.databaseUrl) {
    try {
      releaseDataDir = claimDataDir(config.dataDir, 'the bot');
    } catch (error) {
      throw new StartupError(`Database error: ${describe(error)}`);
    }
  }

  const deps = {
    log,
    now: () => clock.now().getTime(),
    ...(options.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: options.pollTimeoutSeconds } : {}),
  };
  const telegram = config.botToken
    ? createTelegramConnector({ ...config, botToken: config.botToken }, deps)
    : undefined;
  const vk = config.vk ? createVkConnector(config.vk, deps) : undefined;
  const max = config.max ? createMaxConnector(config.max, deps) : undefined;
  const connectors: Connector[] = [telegram, vk, max].filter((c): c is NonNullable<typeof c> => !!c);
  const messengers: Messenger[] = connectors.map((connector) => connector.messenger);
  // The database opens (the embedded one takes about a second) while the platforms are asked who we are.
  const platformsReady = Promise.all(
    connectors.map(async (connector) => {
      try {
        await withRetries(() => connector.init(), log, `${connector.name}: asking the API who the bot is`);
      } catch (error) {
        throw new StartupError(
          `${connector.name} error: could not reach the API at ${connector.apiVariable} (${describe(error)})`,
        );
      }
    }),
  );
  platformsReady.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
  if (!database) {
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
      await platformsReady.catch(() => {});
      throw new StartupError(`Database error: could not open ${where} (${describe(error)})`);
    }
  }
  const opened = database;
  const closeDatabase = async () => {
    if (!ownsDatabase) return;
    await opened.close();
    releaseDataDir();
  };
  try {
    await platformsReady;
  } catch (error) {
    await closeDatabase();
    throw error;
  }

  // The port HTTP_PORT listens on, once it does: the dashboard's links use it when PUBLIC_URL is unset.
  let listening: number | undefined;
  const app = await App.create({
    database,
    messengers,
    log,
    clock,
    defaultLanguage: config.defaultLanguage,
    timeZone: config.timeZone,
    jobsIntervalSeconds: config.jobsIntervalSeconds,
    personalData: config.personalData,
    publicUrl: () => config.publicUrl ?? (listening ? `http://localhost:${listening}` : undefined),
    ...(options.pacing !== undefined ? { pacing: options.pacing } : {}),
    ...(options.outbox ? { outbox: options.outbox } : {}),
  });
  // A platform without read-only (MAX) asks the records who is read-only, per message, through a cache
  // per chat that every committed change drops (here at once, on other replicas by notification): every
  // replica decides alike, and a restart forgets nobody.
  const readOnly = connectors.some((connector) => connector.readOnlyFrom)
    ? await openReadOnlyCache(database, clock, log, options.readOnlyTtlMs)
    : undefined;
  for (const connector of connectors) {
    const platform = connector.messenger.platform;
    if (readOnly) connector.readOnlyFrom?.((chatId, userId) => readOnly.silenceOf(platform, chatId, userId));
  }
  const attached: Array<Attached & { connector: Connector }> = connectors.map((connector) => ({
    connector,
    ...connector.attach(app.dispatcher.handle),
  }));

  // The port's public URLs say whether it is reached over https (then every answer carries HSTS).
  const https = [config.publicUrl, config.webhook?.url, config.max?.webhook?.url].some((url) =>
    url?.startsWith('https:'),
  );
  const http = new HttpServer(log, { https, ...options.http, maxConnections: config.httpMaxConnections });
  gaugeFrom(
    app.services.metrics,
    'ccm_http_body_bytes_reading',
    'Bytes of request bodies being read now, all requests together (past the cap a request gets 503).',
    () => http.bodies.reading,
  );
  http.app.route(
    '/',
    healthRoutes({
      pingDatabase: () => opened.ping(),
      platforms: connectors,
      metrics: () => app.metricsText(),
    }),
  );
  http.app.route(
    '/',
    apiRoutes(app.services, () => telegram?.messenger.self.username),
  );
  http.app.route('/', dashboardRoutes(app.services) as unknown as Hono<HttpEnv>);
  for (const { routes } of attached) for (const route of routes) http.inbound(route);
  if (options.routes) http.app.route('/', options.routes);
  let httpPort: number;
  try {
    httpPort = await http.listen(config.httpPort, options.listenHost);
    listening = httpPort;
  } catch (error) {
    await closeDatabase();
    throw new StartupError(
      `HTTP error: could not listen on HTTP_PORT ${config.httpPort} (${describe(error)})`,
    );
  }

  // Updates first, then the outbox, the jobs (their first run catches up on anything overdue) and the
  // menus: on the embedded database those first runs would otherwise hold up taking updates.
  // A worker-only replica (receiveUpdates: false) runs jobs and the outbox, and takes no updates.
  // A passing failure here (a socket the API closed while the database opened) is retried, not fatal.
  if (options.receiveUpdates !== false)
    for (const side of attached)
      await withRetries(() => side.receive(), log, `${side.connector.name}: taking updates`);
  app.start();
  void app
    .registerCommandMenus()
    .catch((error: unknown) => log.warn({ err: error }, 'could not register command menus'));
  log.info(
    {
      mode: config.botMode,
      httpPort,
      platforms: connectors.map((connector) => `${connector.name} ${connector.describe()}`),
      database: database.kind,
    },
    'bot is ready',
  );

  let stopping: Promise<void> | undefined;
  return {
    app,
    database,
    telegram: telegram?.messenger,
    updates: telegram?.updates(),
    vk: vk ? { messenger: vk.messenger, updates: vk.updates() as VkUpdateSource } : undefined,
    max: max ? { messenger: max.messenger, updates: max.updates() as MaxUpdateSource } : undefined,
    httpPort,
    stop() {
      stopping ??= (async () => {
        for (const side of attached) await side.stop();
        await http.close();
        await app.stop();
        await readOnly?.close();
        await closeDatabase();
        log.info('bot stopped');
      })();
      return stopping;
    },
  };
}
