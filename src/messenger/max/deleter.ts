import type { Logger } from '../../lib/logger.js';
import { MessengerError } from '../port.js';
import type { MaxMessenger } from './connector.js';

/** MAX deletes about 2 messages a second per chat; a refused deletion waits this long before the next try. */
const RETRY_MS = 300;
const MAX_TRIES = 20;

/**
 * Deletes silenced members' messages at once, one chat's deletions in order and one at a time (MAX's
 * per-chat limit), chats in parallel. A deletion refused for the rate is tried again shortly; a message
 * gone already is done.
 */
export class Deleter {
  private readonly chains = new Map<string, Promise<void>>();
  private count = 0;

  constructor(
    private readonly messenger: MaxMessenger,
    private readonly log: Logger,
  ) {}

  get pending(): number {
    return this.count;
  }

  delete(chatId: string, mid: string): void {
    this.count += 1;
    const previous = this.chains.get(chatId) ?? Promise.resolve();
    const next = previous
      .then(() => this.run(chatId, mid))
      .finally(() => {
        this.count -= 1;
        if (this.chains.get(chatId) === next) this.chains.delete(chatId);
      });
    this.chains.set(chatId, next);
  }

  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async run(chatId: string, mid: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_TRIES; attempt += 1) {
      try {
        await this.messenger.delete({ platform: 'max', platformChatId: chatId }, mid);
        return;
      } catch (error) {
        if (error instanceof MessengerError && error.code === 'MESSAGE_GONE') return;
        if (!(error instanceof MessengerError) || !error.retryable || attempt === MAX_TRIES) {
          this.log.warn({ err: error, chatId, mid }, 'could not delete a silenced member’s message');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS * Math.min(attempt, 4)));
      }
    }
  }
}
