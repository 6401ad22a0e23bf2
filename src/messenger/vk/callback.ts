import type { Logger } from '../../lib/logger.js';
import { safeEqual } from '../../lib/secrets.js';
import type { Delivery } from '../port.js';
import { updateKey, type VkUpdate } from './updates.js';

/** Attempts within one Callback API request: VK waits for the answer, so only a short while. */
const CALLBACK_ATTEMPTS = 3;

/** What handleCallback answers: VK resends an event until it gets HTTP 200 with the body `ok`. */
export interface CallbackResponse {
  status: number;
  body: string;
}

export interface CallbackSettings {
  /** The string VK expects back for `confirmation`, and the secret it sends with each event. */
  confirmation: string;
  secret: string;
}

/** The Callback API: VK posts each event to the bot and resends it until the answer is `ok`. */
export class VkCallbackEndpoint {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly settings: CallbackSettings,
    private readonly groupId: () => number,
    private readonly dispatch: (update: VkUpdate, delivery: Delivery) => Promise<void>,
    private readonly maxAttempts: number,
    private readonly log: Logger,
  ) {}

  /**
   * Handles one Callback API request and returns what to answer: the confirmation string for
   * `confirmation`; `ok` (HTTP 200) once the event's effect is committed; 403 for another community or a
   * wrong secret; 400 for a body that is not an event; 500 so that VK resends an event whose handling
   * failed (up to `maxAttempts`, then it is logged and confirmed).
   */
  async handleCallback(body: string): Promise<CallbackResponse> {
    const settings = this.settings;
    let update: VkUpdate;
    try {
      update = JSON.parse(body) as VkUpdate;
    } catch {
      return { status: 400, body: 'not json' };
    }
    if (typeof update !== 'object' || update === null || typeof update.type !== 'string') {
      return { status: 400, body: 'not an event' };
    }
    if (update.group_id !== this.groupId()) return { status: 403, body: 'unknown community' };
    if (update.type === 'confirmation') return { status: 200, body: settings.confirmation };
    const secret = (update as { secret?: unknown }).secret;
    if (typeof secret !== 'string' || !safeEqual(secret, settings.secret)) {
      return { status: 403, body: 'wrong secret' };
    }
    const key = updateKey(update);
    try {
      // A few quick retries in order before the request fails; VK's resend comes later.
      await this.dispatch(update, { attempts: CALLBACK_ATTEMPTS });
      this.failures.delete(key);
      return { status: 200, body: 'ok' };
    } catch (error) {
      const attempts = (this.failures.get(key) ?? 0) + 1;
      if (attempts >= this.maxAttempts) {
        this.failures.delete(key);
        this.log.error(
          { err: error, updateKey: key, type: update.type, attempts },
          'giving up on a VK event',
        );
        return { status: 200, body: 'ok' };
      }
      this.failures.set(key, attempts);
      if (this.failures.size > 10_000) this.failures.clear();
      this.log.warn({ err: error, updateKey: key, attempts }, 'VK event failed; VK will resend it');
      return { status: 500, body: 'retry' };
    }
  }
}
