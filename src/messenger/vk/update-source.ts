import type { Logger } from '../../lib/logger.js';
import { pause } from '../../lib/pause.js';
import type { Delivery, EventSink, InboundEvent } from '../port.js';
import { type CallbackResponse, type CallbackSettings, VkCallbackEndpoint } from './callback.js';
import type { VkMessenger } from './connector.js';
import { VkEventReader } from './reader.js';
import { updateKey, type VkUpdate } from './updates.js';

export type { CallbackResponse } from './callback.js';

export interface VkUpdateSourceOptions {
  /** Bots Long Poll `wait` in seconds (VK holds a request up to 90). */
  pollWaitSeconds?: number;
  /** An event whose handling keeps failing is given up after this many attempts (and logged). */
  maxAttempts?: number;
  /** The first pause before reading an event again (doubling); the core paces retries of handling. */
  retryDelayMs?: number;
  /** Callback API: the string VK expects back for `confirmation`, and the secret it sends with each event. */
  callback?: CallbackSettings;
  /** How long a looked-up name or chat title is used before it is looked up again. */
  directoryTtlMs?: number;
  /**
   * Where the Long Poll `ts` survives a restart. Without it polling starts from VK's newest event, and what
   * arrived while the bot was down is skipped.
   */
  cursor?: { load(): Promise<string | undefined>; save(ts: string): Promise<void> };
  now?: () => Date;
}

interface LongPollServer {
  server: string;
  key: string;
  ts: string;
}

interface LongPollAnswer {
  ts?: string | number;
  updates?: VkUpdate[];
  failed?: number;
}

type Prepared = { ok: true; event: InboundEvent | undefined } | { ok: false; error: unknown };

/**
 * Brings VK events to the core, by Bots Long Poll or through the Callback API. Unlike vk-io's own
 * transports (which move `ts` on before handling and answer `ok` at once), an event whose handling failed
 * is not confirmed: polling retries it before asking past its `ts`, the callback answers 500 so VK resends.
 * It also looks up what VK's events leave out (people's names, chat titles), in batches and cached.
 */
export class VkUpdateSource {
  private polling = false;
  private stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private longPoll: LongPollServer | undefined;
  private readonly reader: VkEventReader;
  private readonly callback: VkCallbackEndpoint | undefined;
  private readonly waitSeconds: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly messenger: VkMessenger,
    private readonly sink: EventSink,
    private readonly log: Logger,
    private readonly options: VkUpdateSourceOptions = {},
  ) {
    this.waitSeconds = options.pollWaitSeconds ?? 25;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.reader = new VkEventReader(
      messenger,
      log,
      options.directoryTtlMs ?? 3_600_000,
      options.now ?? (() => new Date()),
    );
    this.callback = options.callback
      ? new VkCallbackEndpoint(
          options.callback,
          () => messenger.groupId,
          (update, delivery) => this.dispatch(update, delivery),
          this.maxAttempts,
          log,
        )
      : undefined;
  }

  /** Handles one event; resolves when its effect is committed, rejects if handling failed. */
  async dispatch(update: VkUpdate, delivery?: Delivery): Promise<void> {
    await this.reader.learn([update]);
    this.reader.noteRename(update);
    const event = await this.reader.prepare(update);
    if (event) await this.sink(event, delivery);
  }

  // ================================================================== Bots Long Poll

  async startPolling(): Promise<void> {
    this.polling = true;
    this.stopController = new AbortController();
    const saved = this.longPoll?.ts ?? (await this.options.cursor?.load());
    this.longPoll = await this.connect(saved);
    this.loop = this.pollLoop(this.longPoll);
  }

  async stop(): Promise<void> {
    this.polling = false;
    this.stopController.abort();
    await this.loop;
  }

  /** Asks for a Long Poll server and key; keeps `ts` when we have one (only the key expired). */
  private async connect(ts: string | undefined): Promise<LongPollServer> {
    const answer = await this.messenger.call<{ server: string; key: string; ts: string | number }>(
      'groups.getLongPollServer',
      { group_id: this.messenger.groupId },
    );
    return { server: answer.server, key: answer.key, ts: ts ?? String(answer.ts) };
  }

  private async pollLoop(start: LongPollServer): Promise<void> {
    let server = start;
    let errorDelay = 1000;
    while (this.polling) {
      let answer: LongPollAnswer;
      try {
        answer = await this.check(server);
        if (answer.failed !== undefined) {
          server = await this.recover(server, answer);
          this.longPoll = server;
          continue;
        }
        errorDelay = 1000;
      } catch (error) {
        if (!this.polling) break;
        this.log.warn({ err: error }, 'VK long poll failed; retrying');
        await this.pause(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 30_000);
        continue;
      }
      const updates = Array.isArray(answer.updates) ? answer.updates : [];
      // A batch cut short by stop() stays unconfirmed: it comes again after a restart (the core drops repeats).
      if (updates.length > 0 && !(await this.handleBatch(updates))) break;
      // Only now is the batch confirmed: the next request asks for what comes after it.
      if (answer.ts !== undefined && String(answer.ts) !== server.ts) {
        server.ts = String(answer.ts);
        await this.options.cursor
          ?.save(server.ts)
          .catch((error: unknown) => this.log.warn({ err: error }, 'could not save the VK long poll ts'));
      }
    }
  }

  /** `failed` 1: history lost, go on from VK's ts; 2: the key expired, keep ours; 3: both are gone. */
  private async recover(server: LongPollServer, answer: LongPollAnswer): Promise<LongPollServer> {
    if (answer.failed === 1 && answer.ts !== undefined) {
      this.log.warn(
        { from: server.ts, to: answer.ts },
        'VK long poll history was lost; some events were missed',
      );
      return { ...server, ts: String(answer.ts) };
    }
    if (answer.failed === 2) return this.connect(server.ts);
    this.log.warn(
      { failed: answer.failed },
      'VK long poll lost its state; events since the last batch may be missed',
    );
    return this.connect(undefined);
  }

  private async check(server: LongPollServer): Promise<LongPollAnswer> {
    const url = new URL(server.server);
    url.search = new URLSearchParams({
      act: 'a_check',
      key: server.key,
      ts: server.ts,
      wait: String(this.waitSeconds),
    }).toString();
    const timeout = AbortSignal.timeout((this.waitSeconds + 15) * 1000);
    const response = await fetch(url, { signal: AbortSignal.any([timeout, this.stopController.signal]) });
    if (!response.ok) throw new Error(`VK long poll answered HTTP ${response.status}`);
    return (await response.json()) as LongPollAnswer;
  }

  /**
   * A batch goes in together, in order: the core keeps each chat's order and runs chats in parallel.
   * Resolves true when every event was handled or given up after maxAttempts, false when stop() cut in.
   */
  private async handleBatch(updates: VkUpdate[]): Promise<boolean> {
    await this.reader.learn(updates);
    // Each event reads names and titles as the batch stood at it: a rename counts from where it happened.
    const prepared = await Promise.all(
      updates.map((update) => {
        this.reader.noteRename(update);
        return this.reader.prepare(update).then(
          (event): Prepared => ({ ok: true, event }),
          (error: unknown): Prepared => ({ ok: false, error }),
        );
      }),
    );
    const settled = await Promise.all(
      updates.map((update, index) => this.handleWithRetries(update, prepared[index])),
    );
    return settled.every(Boolean);
  }

  /**
   * Resolves true once handled or given up after maxAttempts, false when stopped before either. Reading
   * the event (names, titles) is retried here; its handling is retried by the core in the chat's order.
   */
  private async handleWithRetries(update: VkUpdate, first: Prepared | undefined): Promise<boolean> {
    const key = updateKey(update);
    let event: InboundEvent | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (attempt === 1 && first && !first.ok) throw first.error;
        // The first attempt reaches the sink without a pause, so a batch enters the core in its order.
        event = attempt === 1 && first?.ok ? first.event : await this.reader.prepare(update);
        break;
      } catch (error) {
        if (!this.polling) {
          this.log.warn(
            { err: error, updateKey: key, attempts: attempt },
            'stopped before a VK event was read',
          );
          return false;
        }
        if (attempt >= this.maxAttempts) {
          this.log.error(
            { err: error, updateKey: key, type: update.type, attempts: attempt },
            'giving up on a VK event',
          );
          return true;
        }
        this.log.warn({ err: error, updateKey: key, attempt }, 'reading a VK event failed; retrying');
        await this.pause(this.retryDelayMs * 2 ** (attempt - 1));
      }
    }
    if (!event) return true;
    try {
      await this.sink(event, { attempts: this.maxAttempts, signal: this.stopController.signal });
      return true;
    } catch (error) {
      if (!this.polling) {
        this.log.warn({ err: error, updateKey: key }, 'stopped before a VK event was handled');
        return false;
      }
      this.log.error(
        { err: error, updateKey: key, type: update.type, attempts: this.maxAttempts },
        'giving up on a VK event',
      );
      return true;
    }
  }

  private pause(ms: number): Promise<void> {
    return pause(ms, this.stopController.signal);
  }

  // ================================================================== Callback API

  /** Handles one Callback API request and returns what to answer (see {@link VkCallbackEndpoint}). */
  handleCallback(body: string): Promise<CallbackResponse> {
    if (!this.callback) throw new Error('VkUpdateSource: the Callback API is not configured');
    return this.callback.handleCallback(body);
  }
}
