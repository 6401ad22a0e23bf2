import type { Config } from '../../config.js';
import { safeEqual } from '../../lib/secrets.js';
import type { Connector, InboundRequest } from '../connector.js';
import type { ConnectorDeps } from '../telegram/index.js';
import { MaxMessenger } from './connector.js';
import { MaxUpdateSource } from './update-source.js';

function secretHeader(headers: InboundRequest['headers']): string | undefined {
  const header = headers['x-max-bot-api-secret'];
  return Array.isArray(header) ? header[0] : header;
}

/** MAX through `@maxhub/max-bot-api`: our own long polling, or the webhook on the bot's HTTP port. */
export function createConnector(
  max: NonNullable<Config['max']>,
  deps: ConnectorDeps,
): Connector & { messenger: MaxMessenger; updates(): MaxUpdateSource | undefined } {
  const messenger = new MaxMessenger({
    token: max.token,
    apiRoot: max.apiRoot,
    log: deps.log,
    now: deps.now,
  });
  const webhook = max.webhook;
  let source: MaxUpdateSource | undefined;
  return {
    name: 'MAX',
    apiVariable: 'MAX_API_ROOT',
    messenger,
    updates: () => source,
    init: () => messenger.init(),
    reachable: () => messenger.reachable(),
    describe: () => `@${messenger.self.username ?? messenger.self.userId}`,
    readOnlyFrom(lookup) {
      messenger.readOnly = lookup;
    },
    attach(sink) {
      const updates = new MaxUpdateSource(messenger, sink, deps.log, {
        ...(deps.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: deps.pollTimeoutSeconds } : {}),
      });
      source = updates;
      return {
        routes: webhook
          ? [
              {
                method: 'POST',
                path: webhook.path,
                authorize: (headers) => safeEqual(secretHeader(headers) ?? '', webhook.secret),
                async handle(request) {
                  return { status: await updates.handleWebhook(request.body) };
                },
              },
            ]
          : [],
        receive: () => (webhook ? updates.subscribe(webhook.url, webhook.secret) : updates.startPolling()),
        stop: () => updates.stop(),
      };
    },
  };
}
