/**
 * The sandbox: `npm start` without BOT_TOKEN. The real bot (same core, database code and telegraf
 * connector) runs against an emulated Telegram with a sample class chat, and a page at /sandbox lets a
 * visitor play the teacher, the parents, the student and newcomers, and move the clock.
 *
 * - `session.ts`   one run: clock, emulator, fresh database, the bot; the visitor's actions
 * - `seed.ts`      the sample class chat, in Russian and English
 * - `view.ts`      what the page shows, read from the emulator
 * - `api.ts`       the page and its JSON API on the bot's HTTP port
 * - `databases.ts` fresh in-memory databases
 * - `telegram/`    the emulated Telegram Bot API (also the end-to-end tests' fake)
 * - `public/`      the page: plain HTML, CSS and JS (native ES modules, no build step; app.js is the entry)
 */
import type { Hono } from 'hono';
import { StartupError } from '../app/start.js';
import type { Config, Language } from '../config.js';
import type { HttpEnv } from '../http/context.js';
import type { Logger } from '../lib/logger.js';
import { type SandboxControl, sandboxRoutes, type UnchangedState } from './api.js';
import { FreshDatabases } from './databases.js';
import { SandboxSession } from './session.js';
import type { SandboxState } from './view.js';

export interface SandboxOptions {
  /** Where the one start-up line goes; standard output by default. */
  readonly announce?: (line: string) => void;
  /** A dump of an empty, migrated database to copy instead of migrating from scratch (tests). */
  readonly template?: Blob;
}

export interface RunningSandbox {
  /** The page, `http://localhost:<port>/sandbox`. */
  readonly url: string;
  readonly httpPort: number;
  /** Stops the bot, the emulator and the database. */
  stop(): Promise<void>;
}

/**
 * The running sandbox across resets: the current session, the version of what the page last saw, and
 * the restart that a reset or a change of language performs.
 */
class Sandbox implements SandboxControl {
  readonly routes: Hono<HttpEnv>;
  private current: SandboxSession | undefined;
  private restarting: Promise<void> | undefined;
  private stopped = false;
  private sessions = 0;
  private version = 0;
  private lastSeen = '';

  constructor(
    private config: Config,
    private readonly log: Logger,
    private readonly databases: FreshDatabases,
  ) {
    this.routes = sandboxRoutes(this, config.sandboxHost);
  }

  /** Starts a session in `language` on the configured port; returns the port it listens on. */
  async start(language: Language): Promise<number> {
    const database = await this.databases.open();
    const session = await SandboxSession.start({
      config: this.config,
      log: this.log,
      language,
      database,
      routes: this.routes,
    });
    // Restarts listen where the first start did, even when HTTP_PORT was 0.
    this.config = { ...this.config, httpPort: session.bot.httpPort };
    this.sessions += 1;
    this.current = session;
    return session.bot.httpPort;
  }

  session(): SandboxSession | undefined {
    return this.current;
  }

  state(since: number | undefined): SandboxState | UnchangedState | undefined {
    const session = this.current;
    if (!session) return undefined;
    const body = session.describe();
    const seen = JSON.stringify(body);
    if (seen !== this.lastSeen) {
      this.lastSeen = seen;
      this.version += 1;
    }
    const head = { session: this.sessions, version: this.version, now: session.now().getTime() };
    return since === this.version ? { ...head, changed: false } : { ...body, ...head };
  }

  reset(language: Language): void {
    if (this.restarting || this.stopped) return;
    const old = this.current;
    this.current = undefined;
    this.restarting = (async () => {
      // The session's HTTP server answers this very request: let the answer go out before it closes.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await old?.stop();
        if (!this.stopped) await this.start(language);
      } catch (error) {
        this.log.error({ err: error }, 'sandbox: could not start again after a reset');
      } finally {
        this.restarting = undefined;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting;
    await this.current?.stop();
    this.current = undefined;
  }
}

/**
 * Starts the sandbox: an emulated Telegram on 127.0.0.1, a fresh in-memory database, the sample class
 * chat, the real bot, and the page at `/sandbox` on HTTP_PORT. Prints one line saying where to go.
 * @throws {StartupError} for a problem a person must fix (the port is taken, the page is missing)
 */
export async function startSandbox(
  config: Config,
  log: Logger,
  options: SandboxOptions = {},
): Promise<RunningSandbox> {
  let sandbox: Sandbox;
  try {
    sandbox = new Sandbox(config, log, new FreshDatabases(options.template));
  } catch (error) {
    throw new StartupError(`Sandbox error: ${error instanceof Error ? error.message : String(error)}`);
  }
  const httpPort = await sandbox.start(config.defaultLanguage);
  const url = `http://localhost:${httpPort}/sandbox`;
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  announce(`Sandbox: open ${url} — no BOT_TOKEN, so the bot runs against an emulated Telegram.`);
  return { url, httpPort, stop: () => sandbox.stop() };
}
