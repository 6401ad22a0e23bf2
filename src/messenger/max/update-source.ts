import { setMaxListeners } from 'node:events';
import type { Logger } from '../../lib/logger.js';
import { pause } from '../../lib/pause.js';
import type { Delivery, EventSink, InboundEvent, UserInfo } from '../port.js';
import { MessengerError } from '../port.js';
import type { MaxMessenger } from './connector.js';
import {
  groupChatOf,
  isObject,
  isUpdate,
  messageOf,
  namedIds,
  placeholderUser,
  toEvent,
  UPDATE_TYPES,
  updateKey,
  userFrom,
  type WireUpdate,
} from './updates.js';

/** Tries at reading an update (asking the API for titles and names) before it counts as failed. */
const READ_ATTEMPTS = 3;

export interface MaxUpdateSourceOptions {
  /** `GET /updates` timeout in seconds (MAX holds a request up to 90). */
  pollTimeoutSeconds?: number;
  /** An update whose handling keeps failing is given up after this many attempts (and logged). */
  maxAttempts?: number;
  /** Webhook: attempts within one request before answering 500 (MAX redelivers later). */
  webhookAttempts?: number;
}

/**
 * Brings MAX updates to the core: our own long-polling loop on `GET /updates` (the client's `bot.start()`
 * runs a batch concurrently and moves the marker on whatever happened), or the webhook. A batch is
 * confirmed (its marker passed) only once every update in it was handled or given up; a webhook request is
 * answered 200 only once its effect is committed. A message from someone who may only read (emulated
 * read-only, asked of the core's records) reaches the core as `message_suppressed`, which records its
 * deletion durably before the update is confirmed.
 */
export class MaxUpdateSource {
  private polling = false;
  private stopController = MaxUpdateSource.stopSignal();
  private loop: Promise<void> | undefined;
  private marker: number | undefined;
  private readonly timeoutSeconds: number;
  private readonly maxAttempts: number;

  private static stopSignal(): AbortController {
    const controller = new AbortController();
    // Every pause of a retry listens to it; a busy webhook has many at once.
    setMaxListeners(0, controller.signal);
    return controller;
  }

  constructor(
    private readonly messenger: MaxMessenger,
    private readonly sink: EventSink,
    private readonly log: Logger,
    private readonly options: MaxUpdateSourceOptions = {},
  ) {
    this.timeoutSeconds = options.pollTimeoutSeconds ?? 30;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  // ================================================================== reading an update

  /** Asks the API what the update leaves out (a chat's title, an inviter's name, the bot's permissions). */
  private async prepare(update: WireUpdate): Promise<InboundEvent | undefined> {
    const titles = new Map<number, string>();
    const users = new Map<number, UserInfo>([[this.messenger.botId, this.messenger.self]]);
    const chatId = groupChatOf(update);
    if (
      update.update_type === 'chat_title_changed' &&
      chatId !== undefined &&
      typeof update.title === 'string'
    ) {
      this.messenger.noteTitle(chatId, update.title);
      return undefined;
    }
    let botPermissions: string[] | null | undefined;
    if (chatId !== undefined && update.update_type !== 'bot_removed') {
      titles.set(chatId, (await this.messenger.chatInfo(chatId, update.update_type === 'bot_added')).title);
      if (update.update_type === 'bot_added') botPermissions = await this.messenger.botPermissions(chatId);
    }
    if (chatId !== undefined) {
      for (const id of namedIds(update)) users.set(id, await this.lookup(chatId, id));
    }
    return toEvent(update, {
      botId: this.messenger.botId,
      titles,
      users,
      ...(botPermissions !== undefined ? { botPermissions } : {}),
      now: new Date(),
    });
  }

  private async lookup(chatId: number, userId: number): Promise<UserInfo> {
    try {
      const answer = (await this.messenger.call('GET /chats/{chatId}/members', () =>
        this.messenger.bot.api.getChatMembers(chatId, { user_ids: [userId] }),
      )) as { members?: Array<{ user_id: number }> };
      const found = answer.members?.find((member) => member.user_id === userId);
      return found ? userFrom(found) : placeholderUser(userId);
    } catch {
      return placeholderUser(userId);
    }
  }

  /**
   * A message from someone who may only read (asked of the core's records, so every replica answers
   * alike): the event that has the core delete it and tell them once; undefined when it is not silenced.
   */
  private async silenced(update: WireUpdate): Promise<InboundEvent | undefined> {
    if (update.update_type !== 'message_created') return undefined;
    const message = messageOf(update.message);
    if (message?.recipient.chat_type !== 'chat' || !isObject(message.sender)) return undefined;
    if (message.sender.is_bot === true) return undefined;
    const chatId = String(message.recipient.chat_id);
    const userId = String(message.sender.user_id);
    const silence = await this.messenger.readOnly(chatId, userId);
    if (!silence) return undefined;
    const title = this.messenger.cachedTitle(Number(chatId)) ?? `chat ${chatId}`;
    return {
      updateKey: updateKey(update),
      at: new Date(message.timestamp),
      kind: 'message_suppressed',
      chat: { platform: 'max', platformChatId: chatId, type: 'supergroup', title },
      user: userFrom(message.sender as never),
      messageId: message.body.mid,
      silence: silence.key,
      ...(silence.until ? { until: silence.until } : {}),
    };
  }

  /** Reading asks the API: a busy or briefly failing API is asked again, a little later, a few times. */
  private async prepareRetrying(update: WireUpdate): Promise<InboundEvent | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.prepare(update);
      } catch (error) {
        if (!(error instanceof MessengerError) || !error.retryable || attempt >= READ_ATTEMPTS) throw error;
        const wait = Math.max((error.details.retryAfterSeconds ?? 0) * 1000, 250 * 2 ** (attempt - 1));
        await pause(wait, this.stopController.signal);
      }
    }
  }

  /** Reads one update into the core's event: undefined for one to skip (logged when malformed). */
  private async read(raw: unknown): Promise<InboundEvent | undefined> {
    if (!isUpdate(raw)) {
      this.log.warn({ update: raw }, 'skipping a MAX update that is not shaped as one');
      return undefined;
    }
    const silenced = await this.silenced(raw);
    if (silenced) return silenced;
    const event = await this.prepareRetrying(raw);
    if (
      !event &&
      (UPDATE_TYPES as readonly string[]).includes(raw.update_type) &&
      raw.update_type !== 'chat_title_changed'
    ) {
      this.log.warn(
        { type: raw.update_type, updateKey: updateKey(raw) },
        'skipping a MAX update the bot cannot read',
      );
    } else if (!event) {
      this.log.debug({ type: raw.update_type }, 'skipping a MAX update type the bot does not use');
    }
    return event;
  }

  /** Handles one update; resolves when its effect is committed, rejects if handling failed. */
  async dispatch(raw: unknown, delivery?: Delivery): Promise<void> {
    const event = await this.read(raw);
    if (event) await this.sink(event, delivery);
  }

  // ================================================================== long polling

  async startPolling(): Promise<void> {
    this.polling = true;
    this.stopController = MaxUpdateSource.stopSignal();
    // MAX refuses long polling while the bot has webhook subscriptions (as the client's own start does).
    const subscriptions = await this.messenger.call('GET /subscriptions', () =>
      this.messenger.bot.api.getSubscriptions(),
    );
    for (const subscription of subscriptions) {
      this.log.warn({ url: subscription.url }, 'removing a MAX webhook subscription to poll instead');
      await this.messenger.call('DELETE /subscriptions', () =>
        this.messenger.bot.api.unsubscribe(subscription.url),
      );
    }
    this.loop = this.pollLoop();
  }

  async stop(): Promise<void> {
    this.polling = false;
    this.stopController.abort();
    await this.loop;
  }

  private async pollLoop(): Promise<void> {
    let errorDelay = 1000;
    while (this.polling) {
      let answer: { updates?: unknown[]; marker?: number | null };
      try {
        answer = (await this.messenger.call('GET /updates', () =>
          this.messenger.bot.api.raw.subscriptions.getUpdates({
            ...(this.marker !== undefined ? { marker: this.marker } : {}),
            timeout: this.timeoutSeconds,
            limit: 100,
            types: UPDATE_TYPES.join(','),
            signal: this.stopController.signal,
          } as never),
        )) as typeof answer;
        errorDelay = 1000;
      } catch (error) {
        if (!this.polling) break;
        const wait = error instanceof MessengerError && error.code === 'RATE_LIMITED' ? 1000 : errorDelay;
        this.log.warn({ err: error }, 'MAX long poll failed; retrying');
        await pause(wait, this.stopController.signal);
        errorDelay = Math.min(errorDelay * 2, 30_000);
        continue;
      }
      const updates = Array.isArray(answer.updates) ? answer.updates : [];
      // A batch cut short by stop() stays unconfirmed: MAX gives it again (the core drops repeats).
      if (updates.length > 0 && !(await this.handleBatch(updates))) break;
      // Only now is the batch confirmed: the next request passes the marker after it.
      if (typeof answer.marker === 'number') this.marker = answer.marker;
    }
  }

  /**
   * The batch enters the core in its order (the core keeps each chat's order and runs chats in parallel).
   * Resolves true when every update was handled or given up, false when stop() cut in.
   */
  private async handleBatch(updates: unknown[]): Promise<boolean> {
    const read = await Promise.all(
      updates.map((raw) =>
        this.read(raw).then(
          (event) => ({ ok: true as const, event }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      ),
    );
    const settled = await Promise.all(updates.map((raw, index) => this.handleWithRetries(raw, read[index])));
    return settled.every(Boolean);
  }

  private async handleWithRetries(
    raw: unknown,
    first: { ok: true; event: InboundEvent | undefined } | { ok: false; error: unknown } | undefined,
  ): Promise<boolean> {
    let event: InboundEvent | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (attempt === 1 && first && !first.ok) throw first.error;
        event = attempt === 1 && first?.ok ? first.event : await this.read(raw);
        break;
      } catch (error) {
        if (!this.polling) return false;
        if (attempt >= this.maxAttempts) {
          this.log.error({ err: error, attempts: attempt }, 'giving up on reading a MAX update');
          return true;
        }
        await pause(500 * 2 ** (attempt - 1), this.stopController.signal);
      }
    }
    if (!event) return true;
    try {
      await this.sink(event, { attempts: this.maxAttempts, signal: this.stopController.signal });
      return true;
    } catch (error) {
      if (!this.polling) return false;
      this.log.error(
        { err: error, updateKey: event.updateKey, kind: event.kind },
        'giving up on a MAX update',
      );
      return true;
    }
  }

  // ================================================================== webhook

  /** Subscribes the webhook (`POST /subscriptions`) for the update types we use. */
  async subscribe(url: string, secret: string): Promise<void> {
    await this.messenger.call('POST /subscriptions', () =>
      this.messenger.bot.api.subscribe(url, secret, [...UPDATE_TYPES] as never),
    );
  }

  /**
   * One webhook request: 200 once the update's effect is committed (or the update was skipped as bad
   * input, which another try would not mend), 500 when handling failed so that MAX delivers it again.
   */
  async handleWebhook(body: string): Promise<number> {
    let update: unknown;
    try {
      update = JSON.parse(body);
    } catch {
      this.log.warn({ bytes: body.length }, 'skipping a MAX webhook request that is not JSON');
      return 200;
    }
    try {
      await this.dispatch(update, { attempts: this.options.webhookAttempts ?? 3 });
      return 200;
    } catch (error) {
      this.log.warn({ err: error }, 'a MAX webhook update failed; MAX will deliver it again');
      return 500;
    }
  }
}
