import { randomBytes, randomInt } from 'node:crypto';
import type { Hono } from 'hono';
import type { User } from 'telegraf/types';
import { type RunningBot, startBot } from '../app/start.js';
import type { Config, Language } from '../config.js';
import type { Database } from '../db/client.js';
import type { HttpEnv } from '../http/context.js';
import { AdjustableClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { ALLOWED_UPDATES } from '../messenger/telegram/updates.js';
import { botName, buildClassChat, newcomerName, openConversation, type Person, userName } from './seed.js';
import { FakeBotApi, ScenarioError } from './telegram/index.js';
import { describeSandbox, StandingLog, type StateBody } from './view.js';

/**
 * Why the sandbox did not do what the page asked; the page words each code in its language.
 * `refused`: the emulated Telegram refused, as Telegram would (read-only, not a member, no such
 * button…); its own words are in the refusal's `detail`.
 */
export type RefusalCode = 'refused' | 'unknown_person' | 'no_join_link' | 'teacher_stays';

/** An expected refusal: the page shows it, nothing changed. */
export class SandboxRefusal extends Error {
  override name = 'SandboxRefusal';

  constructor(
    readonly code: RefusalCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Where a person writes or presses: the class chat, or their private chat with the bot. */
export type Place = 'group' | 'private';

/** The bot's answer to a button press, as Telegram shows it (a toast, or an alert to dismiss). */
export interface PressAnswer {
  readonly text: string;
  readonly alert: boolean;
}

/** The scheduled jobs that catch up after the clock jumps: blocks lift, votes close, requests expire. */
const DUE_JOBS = ['lift-due-blocks', 'close-due-votes', 'expire-join-requests'] as const;

/** How long an action waits for the bot to finish reacting before it answers anyway. */
const SETTLE_LIMIT_MS = 8_000;

/** How often the sandbox looks for members the bot restricted or freed (see {@link StandingLog}). */
const WATCH_MS = 200;

/** Runs `action`, turning the emulator's refusals into {@link SandboxRefusal}s. */
function asVisitor<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof ScenarioError) throw new SandboxRefusal('refused', error.message);
    throw error;
  }
}

/**
 * One run of the sandbox: an emulated Telegram with the sample class chat, a fresh database and the
 * real bot polling the emulator, all on one adjustable clock. The visitor acts as any person in the
 * chat through these methods; a reset stops the session and starts a new one.
 */
export class SandboxSession {
  private readonly standings: StandingLog;
  private readonly watcher: NodeJS.Timeout;
  private newcomers = 0;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly language: Language,
    private readonly timeZone: string,
    private readonly clock: AdjustableClock,
    private readonly api: FakeBotApi,
    private readonly database: Database,
    readonly bot: RunningBot,
    private readonly chatId: number,
    private readonly people: Person[],
    private readonly log: Logger,
  ) {
    this.standings = new StandingLog(api, chatId, clock);
    this.watcher = setInterval(() => this.watch(), WATCH_MS);
    this.watcher.unref();
  }

  /**
   * Starts the emulator on 127.0.0.1, builds the sample chat, starts the real bot against it (same
   * core, database code and telegraf connector as on Telegram) and lets the conversation open.
   * @param options.database a fresh database the session takes over (closed when it stops)
   * @param options.routes the sandbox page's routes, served on the bot's HTTP port
   */
  static async start(options: {
    readonly config: Config;
    readonly log: Logger;
    readonly language: Language;
    readonly database: Database;
    readonly routes: Hono<HttpEnv>;
  }): Promise<SandboxSession> {
    const { config, log, language, database } = options;
    const clock = new AdjustableClock();
    const api = new FakeBotApi({
      token: `${randomInt(100_000, 1_000_000)}:${randomBytes(18).toString('base64url')}`,
      botName: botName(language),
      clock: () => clock.now(),
      // The sample chat is built before the bot first polls; keep its chat_member updates.
      allowedUpdates: [...ALLOWED_UPDATES],
    });
    await api.start();
    let session: SandboxSession | undefined;
    try {
      const chat = buildClassChat(api, language);
      const bot = await startBot(
        {
          ...config,
          botToken: api.token,
          telegramApiRoot: api.apiRoot,
          databaseUrl: undefined,
          botMode: 'polling',
          webhook: undefined,
          defaultLanguage: language,
        },
        log,
        {
          clock,
          database,
          routes: options.routes,
          pollTimeoutSeconds: 1,
          pacing: null,
          listenHost: config.sandboxHost,
        },
      );
      const started = new SandboxSession(
        language,
        config.timeZone,
        clock,
        api,
        database,
        bot,
        chat.chatId,
        chat.people,
        log,
      );
      session = started;
      await openConversation(api, chat, language, () => started.settle());
    } catch (error) {
      if (session) await session.stop();
      else {
        await api.stop();
        await database.close();
      }
      throw error;
    }
    return session;
  }

  /** What the page shows now (without the version, which the caller keeps). */
  describe(): StateBody {
    return describeSandbox({
      api: this.api,
      chatId: this.chatId,
      people: this.people,
      standings: this.standings,
      language: this.language,
      timeZone: this.timeZone,
    });
  }

  /** Sandbox time. */
  now(): Date {
    return this.clock.now();
  }

  /**
   * A person writes in the class chat or to the bot in private, optionally as a reply.
   * @throws {SandboxRefusal} `refused` when Telegram would not let them (read-only, not a member)
   */
  async post(personId: number, place: Place, text: string, replyTo?: number): Promise<void> {
    const user = this.person(personId).user;
    const options = replyTo === undefined ? {} : { replyTo };
    asVisitor(() =>
      place === 'group'
        ? this.api.sendMessage(this.chatId, user, text, options)
        : this.api.privateMessage(user, text, options),
    );
    await this.settle();
  }

  /**
   * A person presses an inline button of a bot message; resolves with the bot's answer once it came.
   * @throws {SandboxRefusal} `refused` when the message or button is gone or the person cannot see it
   */
  async press(
    personId: number,
    place: Place,
    messageId: number,
    data: string,
  ): Promise<PressAnswer | undefined> {
    const user = this.person(personId).user;
    const pressId = asVisitor(() =>
      this.api.pressButton(place === 'group' ? this.chatId : user.id, messageId, user, data),
    );
    await this.settle();
    const answer = this.api.callbackAnswer(pressId);
    return answer?.text ? { text: answer.text, alert: answer.show_alert === true } : undefined;
  }

  /**
   * Someone new arrives: added to the chat by the teacher (the bot greets them in the chat and keeps them
   * read-only until they accept the rules), or asking to join through the bot's link (the bot sends them
   * the rules privately and lets them in on acceptance).
   * @returns the newcomer's id
   */
  async addNewcomer(name: string | undefined, via: 'added' | 'request'): Promise<number> {
    const link = via === 'request' ? this.joinLink() : undefined;
    const user = this.api.createUser({
      ...userName(name ?? newcomerName(this.language, this.newcomers)),
      language_code: this.language,
    });
    this.newcomers += 1;
    asVisitor(() => {
      if (link) this.api.requestJoin(this.chatId, user, link);
      else this.api.addMember(this.chatId, user, { by: this.teacher() });
    });
    this.people.push({ user, role: 'newcomer' });
    await this.settle();
    return user.id;
  }

  /**
   * Someone who is not in the chat (left, or declined) asks to join again through the bot's link.
   * @throws {SandboxRefusal} `no_join_link` before the bot made one; `refused` for members and banned people
   */
  async requestJoin(personId: number): Promise<void> {
    const user = this.person(personId).user;
    const link = this.joinLink();
    asVisitor(() => this.api.requestJoin(this.chatId, user, link));
    await this.settle();
  }

  /**
   * A person leaves the chat by themselves.
   * @throws {SandboxRefusal} `teacher_stays` for the chat's creator; `refused` when not in the chat
   */
  async leave(personId: number): Promise<void> {
    const person = this.person(personId);
    if (person.role === 'teacher') {
      throw new SandboxRefusal('teacher_stays', 'the teacher created the chat and stays in the sandbox');
    }
    asVisitor(() => this.api.removeMember(this.chatId, person.user));
    await this.settle();
  }

  /**
   * Moves sandbox time forward and runs the jobs that fell due, as the scheduler would at its next
   * tick: blocks whose term ended are lifted, votes past their closing time are closed, unanswered
   * join requests expire. Telegram's own timed restrictions end with the clock too.
   */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    for (const job of DUE_JOBS) {
      await this.bot.app.jobs.run(job).catch((error: unknown) => {
        this.log.warn({ err: error, job }, 'sandbox: a due job failed after the clock moved');
      });
    }
    await this.settle();
  }

  /**
   * Waits until the bot has taken every update the emulator holds and performed every action that is
   * due, or until the limit passes (the page polls, so a slow reaction still shows up).
   */
  async settle(limitMs = SETTLE_LIMIT_MS): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (Date.now() < deadline) {
      while (this.api.pendingUpdates().length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await this.bot.app.settled();
      if (this.api.pendingUpdates().length === 0 && this.bot.app.dispatcher.busy === 0) break;
    }
    this.watch();
  }

  /** Stops the bot, the emulator and the database. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.watcher);
      try {
        await this.bot.stop();
      } finally {
        await this.api.stop();
        await this.database.close();
      }
    })();
    return this.stopping;
  }

  private watch(): void {
    // The emulator logs every call for tests to assert on; the sandbox has no use for it, and long
    // polling alone would add a record a second.
    this.api.clearCalls();
    try {
      this.standings.observe(this.people);
    } catch (error) {
      this.log.warn({ err: error }, 'sandbox: could not read members from the emulator');
    }
  }

  private person(id: number): Person {
    const person = this.people.find((candidate) => candidate.user.id === id);
    if (!person) throw new SandboxRefusal('unknown_person', `there is no person ${id} in the sandbox`);
    return person;
  }

  private teacher(): User {
    const teacher = this.people.find((person) => person.role === 'teacher');
    if (!teacher) throw new Error('the sample chat has no teacher');
    return teacher.user;
  }

  /** The newest usable join-request link the bot made (the teacher's `/invite`). */
  private joinLink(): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const link = this.api
      .inviteLinks(this.chatId)
      .filter(
        (candidate) =>
          candidate.creates_join_request &&
          !candidate.is_revoked &&
          candidate.creator.id === this.api.bot.id &&
          (candidate.expire_date === undefined || candidate.expire_date > now),
      )
      .at(-1);
    if (!link)
      throw new SandboxRefusal('no_join_link', 'the bot has no join link yet: send /invite as the teacher');
    return link.invite_link;
  }
}
