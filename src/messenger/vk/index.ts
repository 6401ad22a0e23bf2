import type { Config } from '../../config.js';
import type { Connector } from '../connector.js';
import type { ConnectorDeps } from '../telegram/index.js';
import { VkMessenger } from './connector.js';
import { VkUpdateSource } from './update-source.js';

/** VK through vk-io: Bots Long Poll, or the Callback API on the bot's HTTP port. */
export function createConnector(
  vk: NonNullable<Config['vk']>,
  deps: ConnectorDeps,
): Connector & { messenger: VkMessenger; updates(): VkUpdateSource | undefined } {
  const messenger = new VkMessenger({
    token: vk.token,
    log: deps.log,
    apiBaseUrl: vk.apiRoot,
    ...(vk.groupId !== undefined ? { groupId: vk.groupId } : {}),
    now: deps.now,
  });
  const callback = vk.callback;
  let source: VkUpdateSource | undefined;
  return {
    name: 'VK',
    apiVariable: 'VK_API_ROOT',
    messenger,
    updates: () => source,
    init: () => messenger.init(),
    reachable: () => messenger.reachable(),
    describe: () => `club${messenger.self.userId.replace('-', '')}`,
    attach(sink) {
      const updates = new VkUpdateSource(messenger, sink, deps.log, {
        ...(callback ? { callback: { confirmation: callback.confirmation, secret: callback.secret } } : {}),
        ...(deps.pollTimeoutSeconds !== undefined ? { pollWaitSeconds: deps.pollTimeoutSeconds } : {}),
        now: () => new Date(deps.now()),
      });
      source = updates;
      return {
        routes: callback
          ? [
              {
                method: 'POST',
                path: callback.path,
                async handle(request) {
                  const answer = await updates.handleCallback(request.body);
                  return { status: answer.status, body: answer.body };
                },
              },
            ]
          : [],
        receive: () => (callback ? Promise.resolve() : updates.startPolling()),
        stop: () => updates.stop(),
      };
    },
  };
}
