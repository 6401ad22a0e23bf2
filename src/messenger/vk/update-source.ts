import { timingSafeEqual } from 'node:crypto';
import { BoundedMap } from '../../lib/bounded-map.js';
import type { Logger } from '../../lib/logger.js';
import type { Delivery, EventSink, InboundEvent, UserInfo } from '../port.js';
import type { VkMessenger } from './connector.js';
import {
  isChatPeer,
  type MappingContext,
  messageOf,
  referencedIds,
  titleChange,
  toEvent,
  updateKey,
  type VkUpdate,
} from './updates.js';

/** Attempts within one Callback API request: VK waits for the answer, so only a short while. */
const CALLBACK_ATTEMPTS = 3;

export interface VkUpdateSourceOptions {
  /** Bots Long Poll `wait` in seconds (VK holds a request up to 90). */
  pollWaitSeconds?: number;
  /** An event whose handling keeps failing is given up after this many attempts (and logged). */
  maxAttempts?: number;
  /** The first pause before reading an event again (doubling); the core paces retries of handling. */
  retryDelayMs?: number;
  /** Callback API: the string VK expects back for `confirmation`, and the secret it sends with each event. */
  callback?: { confirmation: string; secret: string };
  /** How long a looked-up name or chat title is used before it is looked up again. */
  directoryTtlMs?: number;
  /**
   * Where the Long Poll `ts` survives a restart. Without it polling starts from VK's newest event, and what
   * arrived while the bot was down is skipped.
   */
  cursor?: { load(): Promise<string | undefined>; save(ts: string): Promise<void> };
  now?: () => Date;
}

/** What handleCallback answers: VK resends an event until it gets HTTP 200 with the body `ok`. */
export interface CallbackResponse {
  status: number;
  body: string;
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
  private readonly failures = new Map<string, number>();
  private readonly names = new BoundedMap<number, { value: UserInfo; at: number }>(200_000);
  private readonly titles = new BoundedMap<number, { value: string; at: number }>(50_000);
  private readonly waitSeconds: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly directoryTtlMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly messenger: VkMessenger,
    private readonly sink: EventSink,
    private readonly log: Logger,
    private readonly options: VkUpdateSourceOptions = {},
  ) {
    this.waitSeconds = options.pollWaitSeconds ?? 25;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.directoryTtlMs = options.directoryTtlMs ?? 3_600_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Handles one event; resolves when its effect is committed, rejects if handling failed. */
  async dispatch(update: VkUpdate, delivery?: Delivery): Promise<void> {
    await this.learn([update]);
    this.noteRename(update);
    const event = await this.prepare(update);
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
    await this.learn(updates);
    // Each event reads names and titles as the batch stood at it: a rename counts from where it happened.
    const prepared = await Promise.all(
      updates.map((update) => {
        this.noteRename(update);
        return this.prepare(update).then(
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
        event = attempt === 1 && first?.ok ? first.event : await this.prepare(update);
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
    const signal = this.stopController.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  // ================================================================== Callback API

  /**
   * Handles one Callback API request and returns what to answer: the confirmation string for
   * `confirmation`; `ok` (HTTP 200) once the event's effect is committed; 403 for another community or a
   * wrong secret; 400 for a body that is not an event; 500 so that VK resends an event whose handling
   * failed (up to `maxAttempts`, then it is logged and confirmed).
   */
  async handleCallback(body: string): Promise<CallbackResponse> {
    const settings = this.options.callback;
    if (!settings) throw new Error('VkUpdateSource: the Callback API is not configured');
    let update: VkUpdate;
    try {
      update = JSON.parse(body) as VkUpdate;
    } catch {
      return { status: 400, body: 'not json' };
    }
    if (typeof update !== 'object' || update === null || typeof update.type !== 'string') {
      return { status: 400, body: 'not an event' };
    }
    if (update.group_id !== this.messenger.groupId) return { status: 403, body: 'unknown community' };
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

  // ================================================================== names and titles

  /**
   * The event with names, titles and (for the bot's own joining) its rights filled in. The caches are read
   * before the first await, so events prepared one after another see them in that order.
   */
  private async prepare(update: VkUpdate): Promise<InboundEvent | undefined> {
    const { owners, chats } = referencedIds(update);
    const users = new Map<number, UserInfo>([[-this.messenger.groupId, this.messenger.self]]);
    for (const id of owners) {
      const known = this.names.get(id);
      if (known) users.set(id, known.value);
    }
    const titles = new Map<number, string>();
    for (const peerId of chats) {
      const known = this.titles.get(peerId);
      if (known) titles.set(peerId, known.value);
    }
    const context: MappingContext = { groupId: this.messenger.groupId, now: this.now(), users, titles };
    const message = messageOf(update);
    const joined = message?.action?.type.startsWith('chat_invite_user') ?? false;
    if (message && joined && (message.action?.member_id ?? message.from_id) === -this.messenger.groupId) {
      context.botIsAdmin = await this.messenger.isChatAdmin(message.peer_id);
    }
    return toEvent(update, context);
  }

  /**
   * Looks up the names and titles a batch needs and the cache lacks, a few calls for the whole batch.
   * A failed lookup is logged and the events go on with placeholders (better than losing a join).
   */
  private async learn(updates: readonly VkUpdate[]): Promise<void> {
    const at = Date.now();
    const fresh = (entry: { at: number } | undefined) =>
      entry !== undefined && at - entry.at < this.directoryTtlMs;
    const self = -this.messenger.groupId;
    const owners = new Set<number>();
    const chats = new Set<number>();
    for (const update of updates) {
      const wanted = referencedIds(update);
      for (const id of wanted.owners) {
        if (id !== self && !fresh(this.names.get(id))) owners.add(id);
      }
      for (const peerId of wanted.chats) {
        if (isChatPeer(peerId) && !fresh(this.titles.get(peerId))) chats.add(peerId);
      }
    }
    const lookups: Array<[string, () => Promise<void>]> = [
      ['users.get', async () => this.remember(await this.messenger.lookupUsers([...owners]), at)],
      ['groups.getById', async () => this.remember(await this.messenger.lookupCommunities([...owners]), at)],
      [
        'messages.getConversationsById',
        async () => {
          const titles = await this.messenger.chatTitles([...chats]);
          for (const [peerId, title] of titles) this.titles.set(peerId, { value: title, at });
        },
      ],
    ];
    await Promise.all(
      lookups.map(([what, lookup]) =>
        lookup().catch((error: unknown) =>
          this.log.warn({ err: error }, `${what} failed; using placeholders`),
        ),
      ),
    );
  }

  private noteRename(update: VkUpdate): void {
    const renamed = titleChange(update);
    if (renamed) this.titles.set(renamed.peerId, { value: renamed.title, at: Date.now() });
  }

  private remember(found: Map<number, UserInfo>, at: number): void {
    for (const [id, user] of found) this.names.set(id, { value: user, at });
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
