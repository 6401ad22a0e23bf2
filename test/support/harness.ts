import { Writable } from 'node:stream';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { App } from '../../src/app/app.js';
import { type RunningBot, type StartOptions, startBot } from '../../src/app/start.js';
import { loadConfig } from '../../src/config.js';
import { outbox } from '../../src/db/schema.js';
import { AdjustableClock } from '../../src/lib/clock.js';
import { createLogger, silentLogger } from '../../src/lib/logger.js';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import type { PacingLimits } from '../../src/outbox/pacer.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { FakeBotApi } from './fake-bot-api/index.js';

export interface HarnessOptions {
  env?: Record<string, string>;
  pacing?: PacingLimits | null;
  db?: TestDatabase;
  api?: FakeBotApi;
  clock?: AdjustableClock;
  /** False for a second replica that only runs jobs and the outbox. */
  receiveUpdates?: boolean;
  /** Keeps every log line the bot writes (at debug level) in `logLines`, for tests of what is logged. */
  captureLogs?: boolean;
  /** Outbox retry timing; tests default to fast retries. */
  outbox?: { backoffMs?: number; maxBackoffMs?: number; pollMs?: number; concurrency?: number };
  /** The HTTP server's timeouts and body budget (shorter ones for the tests of the HTTP port). */
  http?: StartOptions['http'];
}

/**
 * A bot wired exactly as in production (telegraf connector, long polling over real HTTP) against the
 * fake Bot API, on a fresh test database, with a clock tests can move.
 */
export class Harness {
  bot!: RunningBot;
  /** What the bot logged, one JSON line each, when started with `captureLogs`. */
  readonly logLines: string[] = [];

  private constructor(
    readonly api: FakeBotApi,
    readonly db: TestDatabase,
    readonly clock: AdjustableClock,
    private readonly options: HarnessOptions,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const clock = options.clock ?? new AdjustableClock();
    const api =
      options.api ?? new FakeBotApi({ clock: () => clock.now(), allowedUpdates: [...ALLOWED_UPDATES] });
    if (!options.api) await api.start();
    const db = options.db ?? (await createTestDatabase());
    const harness = new Harness(api, db, clock, options);
    await harness.startBot();
    return harness;
  }

  get app(): App {
    return this.bot.app;
  }

  private async startBot(): Promise<void> {
    const config = loadConfig({
      BOT_TOKEN: this.api.token,
      TELEGRAM_API_ROOT: this.api.apiRoot,
      HTTP_PORT: '0',
      ...this.options.env,
    });
    this.bot = await startBot(
      config,
      this.options.captureLogs
        ? createLogger(
            'debug',
            new Writable({ write: (chunk, _enc, done) => done(void this.logLines.push(String(chunk))) }),
          )
        : process.env.TEST_LOG
          ? createLogger(process.env.TEST_LOG)
          : silentLogger,
      {
        database: this.db.database,
        clock: this.clock,
        pacing: this.options.pacing ?? null,
        pollTimeoutSeconds: 1,
        ...(this.options.http ? { http: this.options.http } : {}),
        ...(this.options.receiveUpdates === false ? { receiveUpdates: false } : {}),
        ...(this.options.outbox ? { outbox: this.options.outbox } : {}),
      },
    );
  }

  /** Waits until every update the fake server holds is handled and every due action is performed. */
  async settle(): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      while (this.api.pendingUpdates().length > 0) {
        if (Date.now() > deadline) throw new Error('updates were not consumed in time');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await this.bot.app.settled();
      const soon = await this.pendingActionsDueWithin(5000);
      if (this.api.pendingUpdates().length === 0 && this.bot.app.dispatcher.busy === 0 && soon === 0) return;
      if (Date.now() > deadline) throw new Error('the bot did not settle in time');
      if (soon > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Outbox actions still to be performed within `ms` (retries after a short back-off count). */
  async pendingActionsDueWithin(ms: number): Promise<number> {
    const horizon = new Date(this.clock.now().getTime() + ms);
    const [row] = await this.db.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, horizon)));
    return Number(row?.n ?? 0);
  }

  /** Moves the clock forward and lets the bot catch up. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.settle();
  }

  /** Stops the bot process state (caches, queues) and starts it again on the same database. */
  async restart(): Promise<void> {
    await this.bot.stop();
    await this.startBot();
  }

  async stop(): Promise<void> {
    await this.bot.stop();
    if (!this.options.api) await this.api.stop();
    if (!this.options.db) await this.db.drop();
  }
}
