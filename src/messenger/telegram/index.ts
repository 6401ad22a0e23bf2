import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';
import { safeEqual } from '../../lib/secrets.js';
import type { Connector, InboundRequest } from '../connector.js';
import { TelegramMessenger } from './connector.js';
import { TelegramUpdateSource } from './update-source.js';

export interface ConnectorDeps {
  log: Logger;
  /** The core's clock, so until_date stays inside Telegram's window by the same time. */
  now: () => number;
  pollTimeoutSeconds?: number;
}

function secretHeader(headers: InboundRequest['headers']): string | undefined {
  const header = headers['x-telegram-bot-api-secret-token'];
  return Array.isArray(header) ? header[0] : header;
}

/** Telegram through telegraf: long polling, or the webhook on the bot's HTTP port. */
export function createConnector(
  config: Pick<Config, 'telegramApiRoot' | 'botMode' | 'webhook'> & { botToken: string },
  deps: ConnectorDeps,
): Connector & { messenger: TelegramMessenger; updates(): TelegramUpdateSource | undefined } {
  const messenger = new TelegramMessenger({
    token: config.botToken,
    apiRoot: config.telegramApiRoot,
    log: deps.log,
    now: deps.now,
  });
  const webhook = config.botMode === 'webhook' ? config.webhook : undefined;
  let source: TelegramUpdateSource | undefined;
  return {
    name: 'Telegram',
    apiVariable: 'TELEGRAM_API_ROOT',
    messenger,
    updates: () => source,
    init: () => messenger.init(),
    reachable: () => messenger.reachable(),
    describe: () => `@${messenger.self.username ?? messenger.self.userId}`,
    attach(sink) {
      const updates = new TelegramUpdateSource(messenger, sink, deps.log, {
        ...(deps.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: deps.pollTimeoutSeconds } : {}),
      });
      source = updates;
      return {
        routes: webhook
          ? [
              {
                method: 'POST',
                path: new URL(webhook.url).pathname,
                // Telegram's secret comes in a header: a request without it is refused before its body.
                authorize: (headers) => {
                  const secret = secretHeader(headers);
                  return secret !== undefined && safeEqual(secret, webhook.secret);
                },
                async handle(request) {
                  const secret = secretHeader(request.headers);
                  return { status: await updates.handleWebhook(secret, request.body, webhook.secret) };
                },
              },
            ]
          : [],
        receive: () => (webhook ? updates.setWebhook(webhook.url, webhook.secret) : updates.startPolling()),
        stop: () => updates.stop(),
      };
    },
  };
}
