/**
 * Fake MAX Bot API for the MAX connector's tests: one bot's view of MAX, over real HTTP.
 *
 * - `index.ts`            FakeMaxApi: lifecycle, URLs, update routing, faults and limits
 * - `world.ts`            the in-memory MAX: people, chats, members, blocks, messages, presses
 * - `wire.ts`             world records as the API's JSON objects
 * - `events.ts`           the updates MAX sends, and which of them reach the bot
 * - `simulate.ts`         what people do (`api.sim`)
 * - `inspect.ts`          the read side (`api.inspect`)
 * - `dispatch.ts`         one request's way: token, rate limit, faults, route
 * - `methods-*.ts`        the endpoints, with MAX's refusals; `new-message.ts` checks NewMessageBody
 * - `updates.ts`          `GET /updates` marker semantics and long polling
 * - `webhook.ts`          subscriptions and deliveries with retries
 * - `faults.ts`           queued faults, seeded chaos, sliding-window limits
 * - `http.ts`             the node:http front
 *
 * Sources: max-messenger/api-schema `schema.yaml` (0.0.33) for paths, objects, limits and update types;
 * @maxhub/max-bot-api 0.3.1 for how the official client calls (paths joined with `new URL(path, baseUrl)`,
 * falsy query values dropped, `Authorization: <token>`); the official Go client's fixtures for the shape of
 * real payloads. Where MAX's behaviour is undocumented the choice is marked in the code and in the notes.
 */
import type { FakeContext } from './context.js';
import { type DispatchState, dispatch } from './dispatch.js';
import { Chaos, FaultQueue, SlidingWindowLimiter } from './faults.js';
import { HttpFront } from './http.js';
import { Inspection } from './inspect.js';
import { Simulation } from './simulate.js';
import type { ChaosOptions, FakeMaxApiOptions, Fault, FaultOptions, MaxUser, WireUpdate } from './types.js';
import { UpdateQueue } from './updates.js';
import { WebhookDeliverer } from './webhook.js';
import { Wire } from './wire.js';
import { World } from './world.js';

export { ROUTE_NAMES } from './dispatch.js';
export { MAX_ERRORS, MaxApiError, ScenarioError } from './errors.js';
export { LIMITS } from './new-message.js';
export { START_PAYLOAD_MAX_CHARS } from './simulate.js';
export * from './types.js';

/**
 * A stateful MAX Bot API server for tests. The connector talks to it over HTTP through the official client
 * (`new Bot(api.token, { clientOptions: { baseUrl: api.baseUrl } })`); tests make things happen with
 * `api.sim` (people post, press buttons, join, leave; the bot is added or started) and look with
 * `api.inspect`. Faults, chaos, the 30 requests/second limit and webhook retries reproduce MAX's failures.
 *
 * @example
 * const api = new FakeMaxApi();
 * await api.start();
 * const teacher = api.sim.createUser('Мария', 'Иванова');
 * const chat = api.sim.createChat('8А', { owner: teacher, link: 'private' });
 * api.sim.addBot(chat, { permissions: MODERATOR_PERMISSIONS });
 */
export class FakeMaxApi {
  readonly token: string;
  readonly sim: Simulation;
  readonly inspect: Inspection;
  private readonly ctx: FakeContext;
  private readonly state: DispatchState;
  private readonly http: HttpFront;
  private readonly emitted: WireUpdate[] = [];
  private port: number | undefined;

  constructor(options: FakeMaxApiOptions = {}) {
    this.token = options.token ?? 'max-test-token';
    const world = new World(
      {
        id: options.botId ?? 9_000_001,
        firstName: options.botName ?? 'Модератор класса',
        lastName: '',
        username: options.botUsername ?? 'class_moderator_bot',
        isBot: true,
        privacy: false,
        locale: 'ru',
      },
      options.clock ?? (() => new Date()),
    );
    const webhook = options.webhook ?? {};
    const permissionsInPolling = options.permissionUpdatesInPolling === true;
    const webhooks = new WebhookDeliverer({
      retryBaseMs: webhook.retryBaseMs ?? 100,
      retryMaxMs: webhook.retryMaxMs ?? 2000,
      maxAttempts: webhook.maxAttempts ?? 8,
      timeoutMs: webhook.timeoutMs ?? 5000,
      httpsToLoopbackAsHttp: webhook.httpsToLoopbackAsHttp ?? true,
    });
    const queue = new UpdateQueue(options.maxPollHoldMs ?? 90_000);
    this.ctx = {
      world,
      wire: new Wire(world),
      queue,
      webhooks,
      answers: [],
      deletions: new SlidingWindowLimiter(options.deletionsPerSecondPerChat ?? 2),
      counters: { tooManyRequests: 0, deletionsThrottled: 0, injectedFaults: 0 },
      addingLiftsBlock: options.addingLiftsBlock ?? true,
      emit: (update) => {
        this.emitted.push(update);
        if (webhooks.active) webhooks.deliver(this.emitted.length, update);
        // Reported by integrators: this update is not served by long polling.
        else if (update.update_type !== 'bot_admin_permissions_changed' || permissionsInPolling)
          queue.push(update);
      },
    };
    this.state = {
      token: this.token,
      limiter: new SlidingWindowLimiter(options.requestsPerSecond ?? 30),
      faults: new FaultQueue(),
      chaos: undefined,
      calls: [],
      injected: [],
    };
    this.sim = new Simulation(this.ctx);
    this.inspect = new Inspection(this.ctx, this.state, this.emitted);
    this.http = new HttpFront((request, signal) => dispatch(this.ctx, this.state, request, signal));
  }

  // ================================================================== lifecycle

  /** Listens on 127.0.0.1 (a random port, or the one it had before a stop). */
  async start(): Promise<void> {
    this.port = await this.http.start(this.port ?? 0);
    this.ctx.queue.resume();
    this.ctx.webhooks.start();
  }

  /** Answers held long polls, stops webhook deliveries and closes every socket; state is kept. */
  async stop(): Promise<void> {
    this.ctx.queue.releaseAll();
    this.ctx.webhooks.stop();
    await this.http.stop();
  }

  /**
   * `http://127.0.0.1:<port>/`, for `clientOptions.baseUrl`. The client joins paths with
   * `new URL('messages', baseUrl)`, so a base with a path must end in `/` (this one has none).
   */
  get baseUrl(): string {
    if (this.port === undefined) throw new Error('FakeMaxApi is not started');
    return `http://127.0.0.1:${this.port}/`;
  }

  /** The bot as `GET /me` shows it. */
  get bot(): MaxUser {
    return this.ctx.wire.user(this.ctx.world.bot);
  }

  /** The deep link that starts the bot with `payload` (`https://max.ru/<bot>?start=<payload>`). */
  deepLink(payload: string): string {
    return `https://max.ru/${this.ctx.world.bot.username}?start=${encodeURIComponent(payload)}`;
  }

  /** Resolves once every webhook delivery under way succeeded or was given up. */
  webhookIdle(): Promise<void> {
    return this.ctx.webhooks.idle();
  }

  // ================================================================== faults and limits

  /**
   * The next matching call(s) meet `fault`. `route` is `METHOD /template` as in {@link ROUTE_NAMES}
   * (e.g. `'DELETE /chats/{chatId}/members'`), or `'*'` for any.
   * @example api.fail('POST /messages', { kind: 'lost' }) // sent, but the answer is a 502
   */
  fail(route: string, fault: Fault, options?: FaultOptions): void {
    this.state.faults.add(route, fault, options);
  }

  clearFaults(): void {
    this.state.faults.clear();
  }

  /** Random 429s, 5xx and lost answers from a seed; `undefined` turns chaos off. */
  setChaos(options: ChaosOptions | undefined): void {
    this.state.chaos = options && new Chaos(options);
  }

  /** Requests per second per token before 429; `false` turns the limit off. */
  setRateLimit(perSecond: number | false): void {
    this.state.limiter.setLimit(perSecond);
  }

  /** Message deletions per second per chat before 429; `false` turns the limit off. */
  setDeletionLimit(perSecond: number | false): void {
    this.ctx.deletions.setLimit(perSecond);
  }
}
