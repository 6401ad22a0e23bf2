import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { type Database, rowsOf } from '../../src/db/client.js';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { accounts, blocks, joinRequests, votes } from '../../src/db/schema.js';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import { mulberry32 } from '../../src/sandbox/telegram/faults.js';
import { FakeBotApi } from '../../src/sandbox/telegram/index.js';
import { freePort, waitFor } from '../support/net.js';
import { mask, type Seen, seenIn } from './compare.js';

/**
 * A scripted day of a school, played against real bot processes (`src/main.ts`) on PostgreSQL and the
 * fake Bot API: 50 class chats with teachers and parents, roster, newcomers, join requests, chatter,
 * strikes and blocks, apologies and votes, departures, and days passing. The same seed gives the same
 * script; faults (5xx, 429, duplicated updates, SIGKILLs) change only how it is delivered.
 */

export const CHATS = 50;
const PARENTS = 6;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/**
 * The day starts at a fixed time, whatever the machine's clock says: a Monday, 09:00 in Moscow (the bot's
 * TIMEZONE here). A vote due between 22:00 and 08:00 closes at 08:00, so the script's time of day decides
 * when its votes close; from a fixed start the clean and faulty runs open and close them alike.
 */
const DAY_STARTS = Date.parse('2026-12-07T09:00:00+03:00');
/**
 * Strikes, blocks and votes happen the next morning, from 08:30: each run gets there by its own way (kills,
 * back-offs brought forward, a slow machine), so the clock is moved on to this time, and 12-hour votes opened
 * then close in the evening in every run, not at 08:00 after the night in some.
 */
const STRIKES_START = Date.parse('2026-12-08T08:30:00+03:00');
const TIMEZONE = 'Europe/Moscow';

export interface DayOptions {
  databaseUrl: string;
  database: Database;
  seed: number;
  /** Fault injection: Telegram failing calls, duplicating updates, the bot killed at these step counts. */
  faults?: {
    rate5xx: number;
    rate429: number;
    /** Share of calls that run and then lose their answer (half a 5xx after the effect, half a reset). */
    rateIndeterminate?: number;
    duplicates: number;
    /** Hold a duplicate back until this many more updates were created (a later batch, maybe a restart). */
    duplicatesAfterUpdates?: number;
    /** Steps after which the bot is killed (seeded random, spread over the day). */
    killAtSteps: number[];
    /** Also kill at these moments of the day (each as soon as its moment is reached). */
    killAtMoments?: KillMoment[];
  };
  /** Two bot processes behind a round-robin load balancer in webhook mode. */
  replicas?: 2;
  /**
   * Updates delivered twice with no other fault: a share of them gets a copy held back until this many more
   * updates were made (in webhook mode the fake pushes the copy to the webhook again, a later request).
   */
  redeliveries?: { rate: number; afterUpdates: number };
}

/**
 * Moments worth a crash: a block decided but (most likely) not yet announced, a vote's close under way, a
 * roster removal batch waiting in the outbox, and the jump of a day while blocks are being lifted.
 */
export type KillMoment = 'block decided' | 'vote closing' | 'removal batch' | 'day jump';

export interface DayReport {
  /** Updates the fake Telegram created for the bot. */
  updates: number;
  /** Scripted actions (a post, a press, a join …). */
  steps: number;
  /** Where each SIGKILL hit: `step N` or a {@link KillMoment}, with the outbox actions pending then. */
  kills: string[];
  injectedFaults: number;
  duplicatesSent: number;
  botMessages: Map<number, string[]>;
  /** The bot's private messages per person (by name): rules to applicants, moderators' notes, answers. */
  privateMessages: Map<string, string[]>;
  titles: Map<number, string>;
  /** The early retries by `method chat`, with how much too early the worst came (ms). */
  earlyRetriesBy: Record<string, { count: number; worstMs: number }>;
  /** Calls that ran and lost their answer, by method. */
  indeterminate: Record<string, number>;
  /** Duplicated updates that came later, held back behind other updates. */
  redelivered: number;
  /** Calls made before a 429's retry_after had passed (the fake refuses them with another 429). */
  earlyRetries: number;
  /** The bot's messages (as sent, as shown now, deleted or not) per group chat and per person's private chat. */
  seen: Map<string, Seen[]>;
  /** Injected faults by kind. */
  faultsByKind: Record<string, number>;
  /** The platform's view of every person in every chat: status and whether they may write. */
  platform: string[];
  /**
   * What the bot recorded as failed for good (retried until its attempts ran out, SPEC: "retried until
   * they succeed or are recorded as failed"): the texts of messages per place, and how many other actions.
   */
  failed: { sends: Map<string, string[]>; actions: number; why: string[] };
}

class BotProcess {
  child: ChildProcess | undefined;
  output = '';

  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  start(): void {
    this.output = '';
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', path.resolve('test/faults/clock-preload.mjs'), 'src/main.ts'],
      {
        env: { PATH: process.env.PATH ?? '', ...this.env, HTTP_PORT: String(this.port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  async ready(): Promise<void> {
    // What the last health check saw, for a start that never gets ready (not listening, or degraded).
    let last = 'no answer yet';
    try {
      await waitFor(
        async () => {
          try {
            const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
            last = `${response.status} ${await response.text()}`;
            return response.status === 200;
          } catch (error) {
            last = String((error as { cause?: unknown }).cause ?? error);
            return false;
          }
        },
        `bot on ${this.port}`,
        60_000,
      );
    } catch (error) {
      throw new Error(
        `${(error as Error).message}: ${this.state()}, last /healthz: ${last}, output: ${this.output.slice(-500)}`,
      );
    }
  }

  /** Whether the process still runs (a settle that times out says so: a dead bot and a stuck one differ). */
  state(): string {
    const child = this.child;
    if (!child) return 'not started';
    if (child.exitCode === null && child.signalCode === null) return `running (pid ${child.pid})`;
    return `exited (code ${child.exitCode}, signal ${child.signalCode})`;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** Round-robin in front of the replicas, as a load balancer in front of a webhook would be. */
async function loadBalancer(targets: () => number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const ports = targets();
      const port = ports[next++ % ports.length] ?? 0;
      const upstream = http.request(
        { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function playSchoolDay(options: DayOptions): Promise<DayReport> {
  const random = mulberry32(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let offset = 0;
  const clockFile = path.join(tmpdir(), `ccm-clock-${process.pid}-${options.seed}-${Date.now()}`);
  const setOffset = (value: number) => {
    offset = value;
    writeFileSync(clockFile, String(offset));
  };
  setOffset(DAY_STARTS - Date.now());
  const now = () => new Date(Date.now() + offset);

  const api = new FakeBotApi({
    clock: now,
    allowedUpdates: [...ALLOWED_UPDATES],
    enforceRetryAfter: true,
    webhook: { retryDelayMs: 50 },
  });
  await api.start();
  const lb = options.replicas ? await loadBalancer(() => bots.map((bot) => bot.port)) : undefined;
  const env: Record<string, string> = {
    BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    DATABASE_URL: options.databaseUrl,
    JOBS_INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'error',
    FAULT_CLOCK_FILE: clockFile,
    TIMEZONE,
    CCM_STRICT_POOL: '1',
    ...(lb
      ? { BOT_MODE: 'webhook', WEBHOOK_URL: `http://127.0.0.1:${lb.port}/hook`, WEBHOOK_SECRET: 'day' }
      : {}),
  };
  const bots: BotProcess[] = [];
  for (let i = 0; i < (options.replicas ?? 1); i += 1) bots.push(new BotProcess(env, await freePort()));
  for (const bot of bots) {
    bot.start();
    await bot.ready();
  }

  const db = options.database.db;
  let steps = 0;
  const kills: string[] = [];

  /** Waits until the bot has handled every update and carried out every action and every due job. */
  let phaseStarted = Date.now();
  const phases: Array<[string, number]> = [];
  const phase = (name: string) => {
    phases.push([name, Date.now() - phaseStarted]);
    phaseStarted = Date.now();
  };
  const settle = async (): Promise<void> => {
    const settleStarted = Date.now();
    const deadline = Date.now() + 240_000;
    let loops = 0;
    let jumps = 0;
    let quiet = 0;
    let waitingFor = '';
    while (quiet < 3) {
      if (Date.now() > deadline)
        throw new Error(
          `the bot did not settle (${waitingFor}): ${bots.map((b) => `${b.state()}\n${b.output.slice(-800)}`).join('\n')}`,
        );
      const clock = now();
      // The earliest time an action can go is the earliest head of a chat's queue (the rest wait behind it).
      // Plain SQL with aliases: drizzle leaves a column unqualified, and inside the subquery it would
      // name the subquery's own row.
      const [pending] = rowsOf<{ n: number; first: number | null }>(
        await db.execute(sql`
          select count(*)::int as n,
            (extract(epoch from min(o.next_attempt_at) filter (where not exists (
              select 1 from outbox p where p.lane = o.lane and p.status = 'pending' and p.id < o.id))) * 1000)::float8 as first
          from outbox o where o.status = 'pending'`),
      );
      const [dueBlocks] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(blocks)
        .where(and(eq(blocks.status, 'active'), lte(blocks.endsAt, clock)));
      const [dueVotes] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(votes)
        .where(and(eq(votes.status, 'open'), lte(votes.closesAt, clock)));
      const [dueRequests] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(joinRequests)
        .where(and(eq(joinRequests.status, 'pending'), lte(joinRequests.expiresAt, clock)));
      const busy =
        api.pendingUpdates().length +
        Number(pending?.n) +
        Number(dueBlocks?.n) +
        Number(dueVotes?.n) +
        Number(dueRequests?.n);
      waitingFor = `outbox ${pending?.n} pending, first at ${pending?.first}; due blocks ${dueBlocks?.n}, votes ${dueVotes?.n}, join requests ${dueRequests?.n}; updates ${api.pendingUpdates().length}`;
      if (busy === 0) quiet += 1;
      else quiet = 0;
      // An action backing off far into the future is brought forward: the script's clock moves instead of us waiting.
      const first = pending?.first ?? undefined;
      if (first && first - clock.getTime() > 2000) {
        setOffset(offset + (first - clock.getTime()) + 10);
        jumps += 1;
      }
      loops += 1;
      if (process.env.FAULTS_VERBOSE && loops % 100 === 0) {
        console.error(
          `settling: pending ${pending?.n} blocks ${dueBlocks?.n} votes ${dueVotes?.n} requests ${dueRequests?.n} updates ${api.pendingUpdates().length}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, quiet > 0 ? 150 : 60));
    }
    phases.push([`settle (${loops} loops, ${jumps} jumps)`, Date.now() - settleStarted]);
  };

  const count = async (query: ReturnType<typeof sql>): Promise<number> =>
    Number(rowsOf<{ n: number }>(await db.execute(query))[0]?.n ?? 0);

  /** SIGKILLs the bot (the first replica) and starts it again. */
  const crash = async (where: string): Promise<void> => {
    const bot = bots[0] as BotProcess;
    await bot.kill('SIGKILL');
    const pending = await count(sql`select count(*)::int as n from outbox where status = 'pending'`);
    // Copies of updates held back now reach the restarted bot: redelivery after a restart.
    const held = api.heldUpdates().length;
    kills.push(`${where} (step ${steps}, ${pending} actions pending, ${held} duplicate updates held)`);
    // Claims of the killed process run out by the clock; move it past their lease instead of waiting.
    setOffset(offset + 61_000);
    bot.start();
    await bot.ready();
  };

  /**
   * In the faulty run, kills the bot at a moment of the day as soon as `reached` says it has come (polled,
   * not timed: the moment is a state of the database every run passes through).
   */
  const crashAt = async (moment: KillMoment, reached: () => Promise<boolean>): Promise<void> => {
    if (!options.faults?.killAtMoments?.includes(moment)) return;
    const deadline = Date.now() + 120_000;
    while (!(await reached())) {
      if (Date.now() > deadline) throw new Error(`the day never reached the moment "${moment}"`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await crash(moment);
  };

  /** One step of the script; in the faulty run the bot is killed at chosen steps and started again. */
  const step = async (action: () => void | Promise<void>): Promise<void> => {
    await action();
    steps += 1;
    if (options.faults?.killAtSteps.includes(steps)) await crash(`step ${steps}`);
  };

  // ---- the school: chats, teachers, parents, rules and settings --------------------------------------
  const classCode = (i: number) => `${(i % 11) + 1}${'АБВГДЕ'[Math.floor(i / 11)]}`;
  const chats: Array<{
    id: number;
    teacher: User;
    parents: User[];
    newcomers: User[];
    applicants: User[];
  }> = [];
  for (let i = 0; i < CHATS; i += 1) {
    const teacher = api.createUser({ first_name: 'Учитель', last_name: `№${i}` });
    const chat = api.createChat({ type: 'supergroup', title: `Класс ${classCode(i)}` });
    api.addMember(chat.id, teacher, { status: 'creator' });
    const parents = Array.from({ length: PARENTS }, (_, k) => {
      const user = api.createUser({ first_name: `Родитель${k}`, last_name: `Класс${i}` });
      api.addMember(chat.id, user, { by: teacher });
      return user;
    });
    chats.push({ id: chat.id, teacher, parents, newcomers: [], applicants: [] });
  }
  // Telegram answers callbacks, commands menus and the like in any order; faults start after the setup.
  for (const [i, chat] of chats.entries()) {
    await step(() => {
      api.addBot(chat.id, {
        by: chat.teacher,
        status: 'administrator',
        rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
      });
    });
    await step(
      () =>
        void api.sendMessage(
          chat.id,
          chat.teacher,
          '/setrules\nВежливость\nБез рекламы\nПо делу\nБез чужих фото',
        ),
    );
    // The regulation's floors: a block on the violation after the third (4.13.5), a vote of at least 12 hours.
    for (const setting of [`class ${classCode(i)}`, 'strike_limit 3', 'block_days 1', 'vote_hours 12']) {
      await step(() => void api.sendMessage(chat.id, chat.teacher, `/settings ${setting}`));
    }
    // Teachers talk to the bot privately: that is where newcomers the school does not know are put to them.
    await step(() => void api.privateMessage(chat.teacher, '/start'));
  }
  await settle();

  // ---- the chats become the school's: each teacher asks with the school's code, the school confirms ---
  const roster = createRosterRepository(db);
  const token = await roster.createToken(1, 'day', now());
  const schoolCode = await roster.ensureSchoolCode(1);
  const call = async (url: string, method: 'GET' | 'POST' = 'POST', body?: unknown) => {
    const port = bots[0]?.port;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${port}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).catch(() => undefined);
      if (response?.status === 200) return (await response.json()) as Record<string, unknown>;
      if (response && response.status !== 500)
        throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  for (const chat of chats) {
    await step(() => void api.sendMessage(chat.id, chat.teacher, `/settings school ${schoolCode}`));
  }
  await settle();
  const requests = (await call('/api/v1/attachments', 'GET')).attachments as Array<{ id: number }>;
  if (requests.length !== CHATS) throw new Error(`${requests.length} of ${CHATS} chats asked to join`);
  for (const request of requests) {
    const answer = await call(`/api/v1/attachments/${request.id}/confirm`);
    if (answer.result !== 'confirmed') throw new Error(`attachment ${request.id}: ${JSON.stringify(answer)}`);
  }
  await settle();
  if (options.faults) {
    api.chaos({
      rate5xx: options.faults.rate5xx,
      rate429: options.faults.rate429,
      rateIndeterminate: options.faults.rateIndeterminate ?? 0,
      retryAfter: 1,
      seed: options.seed,
    });
    const later = options.faults.duplicatesAfterUpdates;
    api.duplicateUpdates({
      rate: options.faults.duplicates,
      seed: options.seed + 1,
      ...(later ? { hold: { afterUpdates: later } } : {}),
    });
  } else if (options.redeliveries) {
    api.duplicateUpdates({
      rate: options.redeliveries.rate,
      seed: options.seed + 1,
      hold: { afterUpdates: options.redeliveries.afterUpdates },
    });
  }

  phase('before roster');
  // ---- roster: three students per class, the parents as guardians, linked by the teachers ------------
  const events: Array<Record<string, unknown>> = [];
  chats.forEach((chat, i) => {
    for (let s = 0; s < 3; s += 1)
      events.push({
        id: `e-${i}-s${s}`,
        type: 'student.enrolled',
        studentId: `S${i}-${s}`,
        classCode: classCode(i),
      });
    chat.parents.forEach((_, k) => {
      events.push({
        id: `e-${i}-g${k}`,
        type: 'guardian.linked',
        guardianId: `G${i}-${k}`,
        studentId: `S${i}-${k % 3}`,
      });
    });
  });
  const push = (body: unknown) => call('/api/v1/roster/events', 'POST', body);
  await push({ events });
  for (const [i, chat] of chats.entries()) {
    for (const [k, parent] of chat.parents.entries()) {
      let hello = 0;
      await step(() => {
        hello = api.sendMessage(chat.id, parent, `Здравствуйте! Я родитель, ${k}`).message_id;
      });
      await step(
        () => void api.sendMessage(chat.id, chat.teacher, `/link guardian:G${i}-${k}`, { replyTo: hello }),
      );
    }
  }
  await settle();

  phase('before chatter');
  // ---- chatter --------------------------------------------------------------------------------------
  const chatter = async (rounds: number) => {
    for (let r = 0; r < rounds; r += 1) {
      for (const chat of chats) {
        const members = [...chat.parents, ...chat.newcomers].filter((user) => canPost(chat.id, user));
        if (members.length === 0) continue;
        await step(
          () =>
            void api.sendMessage(
              chat.id,
              pick(members),
              pick(['Когда собрание?', 'Спасибо!', 'Домашнее задание?', 'Добрый день']),
            ),
        );
      }
    }
    await settle();
  };
  /**
   * The teachers answer «Принять» to the newcomers the school does not know, as they are put to them
   * privately (the second applicant of a chat is not among them: nobody answers, their request expires).
   */
  const admitStrangers = async () => {
    for (const chat of chats) {
      for (const user of chat.newcomers) {
        const name = `${user.first_name} ${user.last_name}`;
        const ask = api
          .botMessages(chat.teacher.id)
          .find((message) => message.text?.includes(name) && message.reply_markup);
        const admit = ask?.reply_markup?.inline_keyboard[0]?.[0];
        if (!ask || !admit || !('callback_data' in admit)) continue;
        await step(
          () =>
            void api.pressButton(chat.teacher.id, ask.message_id, chat.teacher, admit.callback_data ?? ''),
        );
      }
    }
    await settle();
  };
  /** The bot's private messages to someone (none when they never opened a private chat with it). */
  const privateTexts = (user: User): string[] => {
    try {
      return api.botMessages(user.id).map((message) => message.text ?? '');
    } catch {
      return [];
    }
  };
  const canPost = (chatId: number, user: User) => {
    const member = api.member(chatId, user);
    return (
      member.status === 'member' ||
      (member.status === 'restricted' && member.permissions?.can_send_messages === true)
    );
  };
  await chatter(4);

  phase('before newcomers');
  // ---- newcomers: greeted and read-only until they accept; one a teacher added, one a parent added ------
  // The school does not know either; the one a parent added also waits for a moderator (4.11.2).
  for (const [i, chat] of chats.entries()) {
    if (i % 2 !== 0) continue;
    for (let n = 0; n < 2; n += 1) {
      const user = api.createUser({ first_name: `Новичок${n}`, last_name: `Класс${i}` });
      chat.newcomers.push(user);
      const by = n === 0 ? chat.teacher : (chat.parents[2] as User);
      await step(() => void api.addMember(chat.id, user, { by }));
    }
  }
  await settle();
  await admitStrangers();
  for (const chat of chats) {
    for (const user of chat.newcomers) {
      const greeting = api
        .botMessages(chat.id)
        .reverse()
        .find(
          (message) => message.text?.includes(`${user.first_name} ${user.last_name}`) && message.reply_markup,
        );
      const data = greeting?.reply_markup?.inline_keyboard[0]?.[0];
      if (greeting && data && 'callback_data' in data) {
        await step(() => void api.pressButton(chat.id, greeting.message_id, user, data.callback_data ?? ''));
      }
    }
  }
  await settle();

  phase('before join requests');
  // ---- join requests through /invite links: one applicant accepts, the other never answers ------------
  for (const [i, chat] of chats.entries()) {
    if (i % 5 !== 1) continue;
    await step(() => void api.sendMessage(chat.id, chat.teacher, '/invite'));
  }
  await settle();
  for (const [i, chat] of chats.entries()) {
    if (i % 5 !== 1) continue;
    // The link the bot gave the teacher (a link whose answer was lost is on Telegram but nobody has it).
    const given = [...privateTexts(chat.teacher), ...api.botMessages(chat.id).map((m) => m.text ?? '')]
      .join('\n')
      .match(/https:\/\/t\.me\/\+\S+/g)
      ?.at(-1);
    const url = api
      .inviteLinks(chat.id)
      .find((link) => link.creates_join_request && link.invite_link === given)?.invite_link;
    if (!url) continue;
    for (let n = 0; n < 2; n += 1) {
      const user = api.createUser({ first_name: `Заявитель${n}`, last_name: `Класс${i}` });
      await step(() => void api.requestJoin(chat.id, user, url));
      chat.applicants.push(user);
      if (n === 0) chat.newcomers.push(user);
    }
  }
  await settle();
  await admitStrangers();
  for (const chat of chats) {
    for (const user of chat.newcomers.filter((u) => u.first_name.startsWith('Заявитель'))) {
      const message = api.botMessages(user.id).find((m) => m.reply_markup);
      const data = message?.reply_markup?.inline_keyboard[0]?.[0];
      if (message && data && 'callback_data' in data) {
        await step(() => void api.pressButton(user.id, message.message_id, user, data.callback_data ?? ''));
      }
    }
  }
  await settle();
  await chatter(2);

  phase('before strikes');
  const late = now().getTime() - STRIKES_START;
  if (late > 0) throw new Error(`the day ran ${Math.round(late / 60_000)} min past the strikes' morning`);
  setOffset(offset - late);
  await settle();
  // ---- strikes: the fourth strike blocks (limit 3) -----------------------------------------------------
  for (const [i, chat] of chats.entries()) {
    const offenders = i % 5 < 2 ? [chat.parents[0]] : i % 5 === 2 ? [chat.parents[1]] : [];
    for (const offender of offenders) {
      if (!offender) continue;
      const strikesGiven = i % 5 < 2 ? 4 : 1;
      for (let s = 0; s < strikesGiven; s += 1) {
        let message = 0;
        await step(() => {
          message = api.sendMessage(chat.id, offender, 'Реклама пирогов!').message_id;
        });
        await step(
          () =>
            void api.sendMessage(chat.id, chat.teacher, `/strike ${(s % 4) + 1} реклама`, {
              replyTo: message,
            }),
        );
      }
    }
    // The first block is in the database; its announcement waits behind the chat's paced replies.
    if (i === 0)
      await crashAt(
        'block decided',
        async () => (await count(sql`select count(*)::int as n from blocks`)) > 0,
      );
  }
  await settle();

  phase('before apologies');
  // ---- apologies and votes in some of the blocked chats ----------------------------------------------
  for (const [i, chat] of chats.entries()) {
    if (i % 5 !== 0) continue;
    await step(() => void api.privateMessage(chat.parents[0] as User, `/apologize Простите, класс ${i}`));
  }
  await settle();
  for (const [i, chat] of chats.entries()) {
    if (i % 5 !== 0) continue;
    await step(() => void api.sendMessage(chat.id, chat.teacher, `/unblock ${(chat.parents[0] as User).id}`));
  }
  await settle();
  for (const [i, chat] of chats.entries()) {
    if (i % 5 !== 0) continue;
    const vote = api
      .botMessages(chat.id)
      .find(
        (message) =>
          message.text?.includes(': голосование о досрочном снятии блокировки (п. 4.13.6') &&
          message.reply_markup,
      );
    const buttons = vote?.reply_markup?.inline_keyboard[0] ?? [];
    const object = buttons[0];
    const agree = buttons[1];
    if (!vote || !object || !agree || !('callback_data' in object) || !('callback_data' in agree)) continue;
    for (const [k, voter] of chat.parents.slice(1, 5).entries()) {
      const choice = i % 10 === 0 && k === 2 ? object : agree;
      await step(() => void api.pressButton(chat.id, vote.message_id, voter, choice.callback_data ?? ''));
    }
  }
  await settle();
  // The votes (12 hours, opened in the morning) close in the evening, before the night's 22:00.
  setOffset(offset + 13 * HOUR);
  await crashAt(
    'vote closing',
    async () => (await count(sql`select count(*)::int as n from votes where status <> 'open'`)) > 0,
  );
  await settle();
  await chatter(1);

  phase('before departures');
  // ---- departures: the roster system pushes them -----------------------------------------------------
  const departures: Array<Record<string, unknown>> = [];
  chats.forEach((_, i) => {
    if (i % 3 === 0) departures.push({ id: `d-${i}`, type: 'student.departed', studentId: `S${i}-1` });
  });
  await push({ events: departures });
  await crashAt('removal batch', async () => (await count(sql`select count(*)::int as n from removals`)) > 0);
  await settle();

  phase('before days pass');
  // ---- days pass: blocks end, unanswered join requests expire -----------------------------------------
  setOffset(offset + DAY + HOUR);
  await crashAt(
    'day jump',
    async () => (await count(sql`select count(*)::int as n from blocks where lift_reason = 'term'`)) > 0,
  );
  await settle();
  setOffset(offset + 2 * DAY);
  await settle();
  await chatter(2);

  // Copies still held back come now, as Telegram's late redeliveries would.
  if (api.redeliverHeld() > 0) await settle();

  phase('end');
  if (process.env.FAULTS_VERBOSE) console.error(`phases: ${JSON.stringify(phases)}`);
  const botMessages = new Map<number, string[]>();
  const privateMessages = new Map<string, string[]>();
  const titles = new Map<number, string>();
  const platform: string[] = [];
  const seen = new Map<string, Seen[]>();
  const placeOf = new Map<string, string>();
  for (const chat of chats) {
    botMessages.set(
      chat.id,
      api.botMessages(chat.id).map((message) => message.text ?? ''),
    );
    titles.set(chat.id, api.chat(chat.id).title ?? '');
    seen.set(`chat ${titles.get(chat.id)}`, seenIn(api, chat.id));
    placeOf.set(String(chat.id), `chat ${titles.get(chat.id)}`);
    for (const user of [chat.teacher, ...chat.parents, ...chat.newcomers, ...chat.applicants.slice(1)]) {
      const name = `${user.first_name} ${user.last_name}`;
      privateMessages.set(name, privateTexts(user));
      seen.set(`private ${name}`, seenIn(api, user.id));
      placeOf.set(String(user.id), `private ${name}`);
      const member = api.member(chat.id, user);
      // What the member may do, when restricted: the permissions granted (their end date differs by run).
      const may = Object.entries(member.permissions ?? {})
        .filter(([, allowed]) => allowed)
        .map(([permission]) => permission.replace(/^can_/, ''))
        .sort()
        .join(',');
      platform.push(
        `${titles.get(chat.id)}|${name}|${member.status}|${canPost(chat.id, user) ? 'writes' : 'silent'}${member.status === 'restricted' ? `|may ${may || 'nothing'}` : ''}`,
      );
    }
  }
  const failed = { sends: new Map<string, string[]>(), actions: 0, why: [] as string[] };
  const failedRows = rowsOf<{
    type: string;
    chat: string;
    text: string | null;
    attempts: number;
    error: string | null;
  }>(
    await db.execute(sql`
      select action->>'type' as type, action->'chat'->>'platformChatId' as chat, action->>'text' as text,
        attempts, last_error as error
      from outbox where status = 'failed'`),
  );
  for (const row of failedRows) {
    const place = placeOf.get(row.chat);
    // Why each action failed for good, for the log of a run that diverges.
    failed.why.push(`${row.type} in ${place ?? row.chat} after ${row.attempts} attempts: ${row.error}`);
    if (row.type === 'send' && place) {
      failed.sends.set(place, [...(failed.sends.get(place) ?? []), mask(row.text ?? '')]);
    } else if (row.type !== 'delete') failed.actions += 1;
  }
  const counts = api.updateCounts();
  const stats = api.stats();
  const report: DayReport = {
    updates: counts.created,
    steps,
    kills,
    injectedFaults: stats.injectedFaults,
    duplicatesSent: counts.duplicated,
    botMessages,
    privateMessages,
    titles,
    earlyRetries: stats.earlyRetries.length,
    earlyRetriesBy: stats.earlyRetries.reduce<DayReport['earlyRetriesBy']>((by, early) => {
      const key = `${early.method} ${early.chatId}`;
      const sofar = by[key] ?? { count: 0, worstMs: 0 };
      by[key] = { count: sofar.count + 1, worstMs: Math.max(sofar.worstMs, early.earlyByMs) };
      return by;
    }, {}),
    indeterminate: { ...stats.indeterminateFaults },
    redelivered: stats.updates.redelivered,
    faultsByKind: { ...stats.faultsByKind },
    platform: platform.sort(),
    seen,
    failed,
  };
  for (const bot of bots) await bot.kill('SIGTERM');
  await lb?.close();
  await api.stop();
  return report;
}

/** Accounts' names by id, to describe state without database ids (which differ between runs). */
export async function names(database: Database): Promise<Map<number, string>> {
  const rows = await database.db.select().from(accounts);
  return new Map(rows.map((row) => [row.id, `${row.firstName} ${row.lastName ?? ''}`.trim()]));
}
