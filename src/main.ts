import { StartupError, startBot } from './app/start.js';
import { ConfigError, loadConfig, wantsSandbox } from './config.js';
import { createLogger } from './lib/logger.js';

/** How long a stop asked for during start-up waits for the start to finish. */
const STOP_WHILE_STARTING_MS = 5_000;

/** Entry point: `npm start`. Fails with one clear line for anything a person must fix. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Without any platform token (and not in production) `npm start` runs the sandbox, quiet unless
  // LOG_LEVEL asks for more.
  const sandbox = wantsSandbox(config);
  const log = createLogger(sandbox && !process.env.LOG_LEVEL ? 'warn' : config.logLevel);

  // Signals are taken from the start: a SIGTERM during start-up stops the bot as soon as it is up.
  let stopRequested: string | undefined;
  let bot: { stop(): Promise<void> } | undefined;
  const shutdown = (signal: string) => {
    if (stopRequested) return;
    stopRequested = signal;
    log.info({ signal }, 'shutting down');
    if (bot) {
      void stop(bot);
      return;
    }
    // Start-up may be waiting out a platform's outage (src/app/start.ts): it gets a few seconds to finish,
    // then the process goes without it; what it had done is in the database, as after any crash.
    setTimeout(() => {
      log.warn({ signal }, 'still starting (a platform is unavailable); stopping without waiting');
      process.exit(0);
    }, STOP_WHILE_STARTING_MS).unref();
  };
  const stop = async (running: NonNullable<typeof bot>) => {
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    try {
      await running.stop();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  try {
    // The sandbox (and its emulated Telegram) is loaded only when asked for: a production start skips it.
    bot = sandbox
      ? await (await import('./sandbox/index.js')).startSandbox(config, log)
      : await startBot(config, log);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (stopRequested) await stop(bot);
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
