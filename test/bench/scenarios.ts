import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { Telegraf } from 'telegraf';
import type { RunningBot } from '../../src/app/start.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { blocks, outbox, removals } from '../../src/db/schema.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import {
  FakeBotApi,
  TELEGRAM_LIMITS,
  TELEGRAM_LIMITS_EVERY_METHOD,
} from '../../src/sandbox/telegram/index.js';
import { freePort, waitFor } from '../support/net.js';
import {
  allOk,
  alternate,
  benchDatabase,
  bulkAdmins,
  bulkChats,
  COMPARISON_ROUNDS,
  compiledBot,
  cpuPerUpdate,
  imageRuntimeEnv,
  load,
  loaderCeiling,
  messageUpdate,
  percentile,
  profiled,
  roundsDetails,
  roundsNote,
  rowsOf,
  texts,
} from './support.js';

export interface Row {
  scenario: string;
  figure: string;
  target: string;
  pass: boolean;
  details?: Record<string, unknown>;
}

const SECRET = 'bench';

async function webhookBot(
  api: FakeBotApi,
  database: Database,
  extra: Record<string, string> = {},
): Promise<{ bot: RunningBot; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/hook`;
  const { startBot, loadConfig } = await compiledBot();
  const config = loadConfig({
    BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    BOT_MODE: 'webhook',
    WEBHOOK_URL: url,
    WEBHOOK_SECRET: SECRET,
    HTTP_PORT: String(port),
    ...extra,
  });
  const bot = await startBot(config, silentLogger, { database });
  return { bot, url };
}

/** A bot that runs jobs, the outbox and the HTTP API but takes no updates (as a worker replica). */
async function workerBot(
  api: FakeBotApi,
  database: Database,
  options: { pacing?: null } = {},
): Promise<{ bot: RunningBot; port: number }> {
  const port = await freePort();
  const { startBot, loadConfig } = await compiledBot();
  const config = loadConfig({
    BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    HTTP_PORT: String(port),
  });
  const bot = await startBot(config, silentLogger, { database, receiveUpdates: false, ...options });
  return { bot, port };
}

/** Updates the bot counted as handled (`ccm_updates_total`, every kind). */
export async function handledUpdates(bot: RunningBot): Promise<number> {
  const text = await bot.app.metricsText();
  let total = 0;
  for (const match of text.matchAll(/^ccm_updates_total(?:\{[^}]*\})? (\d+)/gm)) total += Number(match[1]);
  return total;
}

/**
 * Ordinary messages through the webhook, against a bare telegraf bot with an empty handler, same fake, same
 * loader, same run; and the loader alone against a node:http server that answers 200 (its ceiling).
 */
export async function webhookThroughput(quick = false): Promise<Row[]> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const db = await benchDatabase();
  // Ordinary messages: 40 members in each of 100 chats, so that the warm-up (each member once) and the
  // measured run together give each member 6 messages within the minute, below the default flood threshold (7 in 60 s). A
  // stream where every member floods is not ordinary: each flooded message costs a suggestion's
  // transaction and the chats' heat reminders (20 members per chat did that before 2026-11-30).
  const chats = Array.from({ length: 100 }, (_, n) => ({
    chatId: -1003000000000 - n,
    title: `Чат ${n}`,
    userIds: Array.from({ length: 40 }, (_, k) => 4_000_000 + n * 40 + k),
  }));
  await bulkChats(db.database, chats);
  let id = 1;
  const updates = (count: number) =>
    Array.from({ length: count }, (_, i) => {
      const chat = chats[i % chats.length] as (typeof chats)[number];
      const user = chat.userIds[Math.floor(i / chats.length) % chat.userIds.length] as number;
      return messageUpdate(
        id++,
        chat.chatId,
        { id: user, first_name: 'Участник', last_name: String(user) },
        'Когда собрание?',
      );
    });
  const C = 32;
  const N = quick ? 3000 : 20_000;

  const ourRound = async (round: number) => {
    const { bot, url } = await webhookBot(api, db.database);
    // Warm-up: every member posts once, so the bot knows them (as it would after a day in the chat).
    allOk(await load({ url, secret: SECRET, bodies: updates(4000), connections: C }), 'warm-up');
    const handledBefore = await handledUpdates(bot);
    const callsBefore = api.stats().calls;
    const run = await profiled(`our webhook ${round}`, () =>
      load({ url, secret: SECRET, bodies: updates(N), connections: C }),
    );
    allOk(run, 'our bot');
    await bot.app.settled();
    const handled = (await handledUpdates(bot)) - handledBefore;
    // Ordinary messages ask nothing of the platform: no suggestion, reminder or answer went out.
    const platformCalls = api.stats().calls - callsBefore;
    await bot.stop();
    return { run, handled, platformCalls };
  };

  const bareRound = async (round: number) => {
    const bare = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot, webhookReply: false } });
    bare.botInfo = {
      id: api.bot.id,
      is_bot: true,
      first_name: 'Bare',
      username: 'bare_bot',
      can_join_groups: true,
      can_read_all_group_messages: true,
      supports_inline_queries: false,
    };
    let handled = 0;
    bare.on('message', () => {
      handled += 1;
    });
    const port = await freePort();
    const server = http.createServer(bare.webhookCallback('/hook', { secretToken: SECRET }));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const bareUrl = `http://127.0.0.1:${port}/hook`;
    allOk(
      await load({ url: bareUrl, secret: SECRET, bodies: updates(4000), connections: C }),
      'bare warm-up',
    );
    handled = 0;
    const run = await profiled(`bare webhook ${round}`, () =>
      load({ url: bareUrl, secret: SECRET, bodies: updates(N), connections: C }),
    );
    allOk(run, 'bare bot');
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    return { run, handled };
  };

  const { rounds, median, ourHandled, bareHandled } = await alternate(
    quick ? 1 : COMPARISON_ROUNDS,
    ourRound,
    bareRound,
  );
  const ours = median.ours.run;
  const theirs = median.bare.run;
  const ourRate = N / ours.seconds;
  const bareRate = N / theirs.seconds;
  const platformCalls = rounds.reduce((sum, r) => sum + r.ours.platformCalls, 0);
  await db.drop();
  await api.stop();
  const ceiling = await loaderCeiling(updates(N), C);
  const ceilingRate = N / ceiling.seconds;
  const ratio = ourRate / bareRate;
  const checked = ourHandled === N && bareHandled === N && platformCalls === 0;
  return [
    {
      scenario: 'ordinary group messages through the webhook vs a bare telegraf bot (same fake, loader, run)',
      figure: `${Math.round(ourRate)}/s vs ${Math.round(bareRate)}/s = ${Math.round(ratio * 100)}% (${roundsNote(rounds)}); CPU per update ${cpuPerUpdate(ours, N)} vs ${cpuPerUpdate(theirs, N)}; handled ${ourHandled} and ${bareHandled} of ${N} in every round, ${platformCalls} platform calls`,
      target: '≥ 75% of the bare bot, every update handled, no platform call',
      pass: ratio >= 0.75 && checked,
      details: {
        updates: N,
        connections: C,
        ours: ourRate,
        bare: bareRate,
        ratio,
        ourHandled,
        bareHandled,
        platformCalls,
        rounds: roundsDetails(rounds, N),
        ourLatency: ours.latency,
        bareLatency: theirs.latency,
        ourCpuSeconds: ours.cpuSeconds,
        bareCpuSeconds: theirs.cpuSeconds,
        loaderCpuSeconds: { ours: ours.loaderCpuSeconds, bare: theirs.loaderCpuSeconds },
      },
    },
    {
      scenario: 'load generator alone (autocannon in its own process) against node:http answering 200',
      figure: `${Math.round(ceilingRate)}/s = ${(ceilingRate / Math.max(ourRate, bareRate)).toFixed(1)} × the faster server`,
      target: '≥ 1.5 × the faster server',
      pass: ceilingRate >= 1.5 * Math.max(ourRate, bareRate),
      details: { updates: N, connections: C, rate: ceilingRate, latency: ceiling.latency },
    },
  ];
}

/** Strikes recorded in the database. */
async function strikeCount(database: Database): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from strikes`));
  return Number(row?.n ?? 0);
}

/**
 * `/strike` on PostgreSQL, 200 chats: latency at a fixed arrival rate (200 a second, evenly spaced, one chat
 * after another: an open loop, each latency from its scheduled time), then peak throughput (a closed loop of
 * 64 connections). Each row checks that every strike it sent is recorded.
 */
export async function strikeScenarios(quick = false): Promise<Row[]> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const teacher = api.createUser({ first_name: 'Учитель', last_name: 'Иванова' });
  // 40 members a chat: no member collects the four strikes that block (a block is another row's work).
  const chats = Array.from({ length: 200 }, (_, n) => {
    const chat = api.createChat({ type: 'supergroup', title: `Класс ${n}` });
    api.addMember(chat.id, teacher, { status: 'creator' });
    const members = Array.from({ length: 40 }, (_, k) => {
      const user = api.createUser({ first_name: 'Родитель', last_name: `${n}-${k}` });
      api.addMember(chat.id, user, { by: teacher });
      return user;
    });
    api.addBot(chat.id, {
      by: teacher,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    return { chatId: chat.id, title: `Класс ${n}`, members };
  });
  api.clearCalls();
  const db = await benchDatabase(20);
  // The members as the fake knows them, so a /strike finds their accounts as a working bot would.
  const people = new Map([teacher, ...chats.flatMap((c) => c.members)].map((u) => [u.id, u]));
  await bulkChats(
    db.database,
    chats.map((c) => ({
      chatId: c.chatId,
      title: c.title,
      userIds: [teacher.id, ...c.members.map((m) => m.id)],
    })),
    (id) => ({ firstName: people.get(id)?.first_name ?? '', lastName: people.get(id)?.last_name ?? '' }),
  );
  await bulkAdmins(
    db.database,
    chats.map((c) => c.chatId),
    teacher.id,
  );
  const { bot, url } = await webhookBot(api, db.database);
  // The fake delivers its set-up updates (members joining, the bot added) to the webhook with ids from 1:
  // the bench's own ids start far above them, or the bot would drop them as redelivered.
  let id = 10_000_000;
  let sequence = 0;
  // The n-th strike: chat n mod 200, each time another member of it and another message.
  const strikes = (count: number) =>
    Array.from({ length: count }, () => {
      const n = sequence++;
      const chat = chats[n % chats.length] as (typeof chats)[number];
      const member = chat.members[
        Math.floor(n / chats.length) % chat.members.length
      ] as (typeof chat.members)[number];
      return messageUpdate(id++, chat.chatId, teacher, `/strike ${(n % 4) + 1} реклама`, {
        messageId: 1_000_000 + n,
        from: member,
        text: 'Реклама!',
      });
    });
  // A first strike in every chat warms the caches (chats, admins), as a working bot's would be.
  allOk(await load({ url, secret: SECRET, bodies: strikes(200), connections: 16 }), 'warm-up');
  await waitFor(() => api.pendingUpdates().length === 0, 'the set-up updates delivered', 120_000);
  await bot.app.dispatcher.idle();
  let recorded = await strikeCount(db.database);
  if (recorded !== 200) throw new Error(`the warm-up recorded ${recorded} of 200 strikes`);

  const RATE = 200;
  const arrivals = quick ? 600 : 3000;
  const open = await profiled('strike open loop', () =>
    load({ url, secret: SECRET, bodies: strikes(arrivals), rate: RATE }),
  );
  allOk(open, 'open loop');
  const openRecorded = (await strikeCount(db.database)) - recorded;
  recorded += openRecorded;

  const PEAK_CONNECTIONS = 64;
  const peakCount = quick ? 1000 : 6000;
  const peak = await profiled('strike peak', () =>
    load({ url, secret: SECRET, bodies: strikes(peakCount), connections: PEAK_CONNECTIONS }),
  );
  allOk(peak, 'peak');
  const peakRecorded = (await strikeCount(db.database)) - recorded;
  await bot.stop();
  await db.drop();
  await api.stop();
  const peakRate = peakCount / peak.seconds;
  const kept = open.achievedRate ?? 0;
  return [
    {
      scenario: `/strike at ${RATE} arrivals/s from 200 chats, open loop (PostgreSQL)`,
      figure: `p50 ${open.latency.p50.toFixed(1)} ms, p99 ${open.latency.p99.toFixed(1)} ms, max ${open.latency.max.toFixed(0)} ms; ${openRecorded} of ${arrivals} recorded (arrivals kept at ${Math.round(kept)}/s)`,
      target: 'p99 ≤ 25 ms, every strike recorded',
      pass: open.latency.p99 <= 25 && openRecorded === arrivals && kept >= RATE * 0.95,
      details: { arrivals, rate: RATE, achievedRate: kept, latency: open.latency, recorded: openRecorded },
    },
    {
      scenario: `/strike peak throughput, ${PEAK_CONNECTIONS} connections, 200 chats (PostgreSQL)`,
      figure: `${Math.round(peakRate)}/s (p50 ${peak.latency.p50} ms, p99 ${peak.latency.p99} ms); ${peakRecorded} of ${peakCount} recorded`,
      target: '≥ 500/s, every strike recorded',
      pass: peakRate >= 500 && peakRecorded === peakCount,
      details: {
        strikes: peakCount,
        connections: PEAK_CONNECTIONS,
        rate: peakRate,
        latency: peak.latency,
        recorded: peakRecorded,
      },
    },
  ];
}

/**
 * The least time Telegram's limits allow for `perChat` actions (count in each chat): every `globalPerSecond`
 * window holds that many, a chat's second one and its minute `perChatPerMinute`. Seconds from the first call
 * to the last.
 */
export function limitAllowedSeconds(
  perChat: number[],
  limits: { globalPerSecond: number; perChatPerSecond: number; perChatPerMinute: number },
): number {
  const total = perChat.reduce((a, b) => a + b, 0);
  const busiest = Math.max(0, ...perChat);
  return Math.max(
    Math.ceil(total / limits.globalPerSecond) - 1,
    (busiest - 1) / limits.perChatPerSecond,
    Math.ceil(busiest / limits.perChatPerMinute - 1) * 60,
  );
}

interface UnblockFixture {
  api: FakeBotApi;
  db: Awaited<ReturnType<typeof benchDatabase>>;
  due: number;
  total: number;
  perChat: number[];
  explain: string;
}

/** `knownChats` × 10 blocks due a minute ago in chats the fake knows, among `otherChats` × 99 due in a week. */
async function unblockFixture(
  knownChats: number,
  otherChats: number,
  limits?: typeof TELEGRAM_LIMITS_EVERY_METHOD,
): Promise<UnblockFixture> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES], ...(limits ? { limits } : {}) });
  await api.start();
  const teacher = api.createUser({ first_name: 'Учитель' });
  // The due blocks are in chats the fake knows (the lifts really happen); the others are not due.
  const known = Array.from({ length: knownChats }, (_, n) => {
    const chat = api.createChat({ type: 'supergroup', title: `Класс ${n}` });
    api.addMember(chat.id, teacher, { status: 'creator' });
    const members = Array.from({ length: 10 }, (_, k) => {
      const user = api.createUser({ first_name: 'Родитель', last_name: `${n}-${k}` });
      api.addMember(chat.id, user, { by: teacher });
      return user.id;
    });
    api.addBot(chat.id, {
      by: teacher,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    return { chatId: chat.id, title: `Класс ${n}`, userIds: members };
  });
  const other = Array.from({ length: otherChats }, (_, n) => ({
    chatId: -1005000000000 - n,
    title: `Чат ${n}`,
    userIds: Array.from({ length: 99 }, (_, k) => 6_000_000 + n * 99 + k),
  }));
  const db = await benchDatabase(20);
  await bulkChats(db.database, [...known, ...other]);
  const d = db.database.db;
  // Every member of those chats is blocked: the known chats' due a minute ago, the others' in a week.
  await d.execute(sql`
    insert into blocks (chat_id, account_id, mode, starts_at, ends_at, status, applied_at, created_at)
    select m.chat_id, m.account_id, 'mute', now() - interval '7 days',
      case when c.platform_chat_id::bigint > -1005000000000 then now() - interval '1 minute' else now() + interval '7 days' end,
      'active', now() - interval '7 days', now() - interval '7 days'
    from chat_members m join chats c on c.id = m.chat_id`);
  await d.execute(sql`analyze blocks`);
  const [counts] = rowsOf<{ total: number; due: number }>(
    await d.execute(
      sql`select count(*)::int as total, count(*) filter (where ends_at <= now())::int as due from blocks where status = 'active'`,
    ),
  );
  const explain = rowsOf<Record<string, string>>(
    await d.execute(
      sql`explain select id from blocks where status = 'active' and ends_at <= now() order by ends_at limit 500 for update skip locked`,
    ),
  )
    .map((row) => Object.values(row)[0])
    .join('\n');
  return {
    api,
    db,
    due: Number(counts?.due ?? 0),
    total: Number(counts?.total ?? 0),
    perChat: known.map((chat) => chat.userIds.length),
    explain,
  };
}

/** Unmutes the fake performed (a restriction that gives back the right to send). */
function unmutes(api: FakeBotApi): number {
  return api
    .callsTo('restrictChatMember')
    .filter(
      (call) => call.ok && (call.params.permissions as Record<string, boolean>)?.can_send_messages === true,
    ).length;
}

/** Starts a worker replica on the fixture and times it from there until every due block is lifted. */
async function liftAll(
  fixture: UnblockFixture,
  options: { pacing?: null } = {},
): Promise<{ bot: RunningBot; seconds: number }> {
  const d = fixture.db.database.db;
  const { liftDueBlocks } = await compiledBot();
  const { bot } = await workerBot(fixture.api, fixture.db.database, options);
  // The start-up run already began lifting; time from there until every due block is lifted.
  const started = performance.now();
  await liftDueBlocks(bot.app.services);
  await waitFor(
    async () => {
      const [row] = rowsOf<{ n: number }>(
        await d.execute(sql`select count(*)::int as n from blocks where status = 'lifted'`),
      );
      return Number(row?.n) >= fixture.due;
    },
    'all due blocks lifted',
    300_000,
  );
  return { bot, seconds: (performance.now() - started) / 1000 };
}

/**
 * 100,000 running blocks, 1,000 of them due, lifted by the scheduled job against the fake: without limits
 * (≤ 2 s), with nothing due (one run of the job), and with Telegram's limits on every method at the fake
 * (within 10% of the least time the limits allow).
 */
export async function scheduledUnblock(quick = false): Promise<Row[]> {
  const known = quick ? 10 : 100;
  const other = quick ? 100 : 1000;
  const fixture = await unblockFixture(known, other);
  const d = fixture.db.database.db;
  // Limits off on both sides: the fake enforces none and the bot paces nothing (as for a bot whose
  // platform allows it more, e.g. Telegram's paid broadcasts); the row measures the bot's own work.
  const { bot, seconds: liftSeconds } = await profiled('lifts, limits off', () =>
    liftAll(fixture, { pacing: null }),
  );
  const lifted = unmutes(fixture.api);

  // Nothing due: how long one run of the job takes.
  await waitFor(async () => {
    const [row] = await d
      .select({ n: sql<number>`count(*)::int` })
      .from(blocks)
      .where(eq(blocks.status, 'lifting'));
    return Number(row?.n) === 0;
  }, 'lifts settled');
  const { liftDueBlocks } = await compiledBot();
  const idle: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const t = performance.now();
    await liftDueBlocks(bot.app.services);
    idle.push(performance.now() - t);
  }
  await bot.stop();
  await fixture.db.drop();
  await fixture.api.stop();

  const limited = await unblockFixture(known, other, TELEGRAM_LIMITS_EVERY_METHOD);
  const before = limited.api.stats();
  const run = await liftAll(limited);
  const limitedLifted = unmutes(limited.api);
  const after = limited.api.stats();
  const tooMany = after.tooManyRequests - before.tooManyRequests;
  await run.bot.stop();
  await limited.db.drop();
  await limited.api.stop();
  const memberLimits = TELEGRAM_LIMITS_EVERY_METHOD.memberActions;
  const allowed = limitAllowedSeconds(limited.perChat, {
    globalPerSecond: memberLimits?.globalPerSecond ?? 30,
    perChatPerSecond: memberLimits?.perChatPerSecond ?? 1,
    perChatPerMinute: memberLimits?.perChatPerMinute ?? 20,
  });

  const usesIndex = fixture.explain.includes('blocks_due_idx');
  const idleMs = idle.reduce((a, b) => a + b, 0) / idle.length;
  return [
    {
      scenario: `scheduled unblock: ${fixture.due} due among ${fixture.total} active blocks, platform limits off (the fake's and the bot's pacing)`,
      figure: `all lifted in ${liftSeconds.toFixed(2)} s (${lifted} unmutes at the fake); due query ${usesIndex ? 'uses blocks_due_idx' : 'does NOT use the index'}`,
      target: '≤ 2 s, every due block unmuted, index used',
      pass: liftSeconds <= 2 && usesIndex && lifted === fixture.due,
      details: { explain: fixture.explain, liftSeconds, unmutes: lifted, due: fixture.due },
    },
    {
      scenario: `scheduled unblock with nothing due, ${fixture.total} active blocks`,
      figure: `${idleMs.toFixed(2)} ms per run (p99 ${percentile(idle, 99).toFixed(2)} ms)`,
      target: '≤ 5 ms per run',
      pass: idleMs <= 5,
      details: { runs: idle.length, mean: idleMs, p99: percentile(idle, 99) },
    },
    {
      scenario: `scheduled unblock: ${limited.due} due among ${limited.total}, fake enforcing Telegram’s limits on every method`,
      figure: `all lifted in ${run.seconds.toFixed(1)} s vs ${allowed.toFixed(1)} s the limits allow (${limitedLifted} unmutes, ${tooMany} × 429)`,
      target: '≤ 110% of what the limits allow, every due block unmuted, zero 429s',
      pass: run.seconds <= allowed * 1.1 && limitedLifted === limited.due && tooMany === 0,
      details: {
        seconds: run.seconds,
        allowedSeconds: allowed,
        unmutes: limitedLifted,
        tooManyRequests: tooMany,
        limits: TELEGRAM_LIMITS_EVERY_METHOD,
      },
    },
  ];
}

/** A roster snapshot of a school (1,200 students, 2,000 guardians, 150 staff, 60 chats) with 40 departures. */
export async function rosterSnapshot(): Promise<Row> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const db = await benchDatabase(20);
  const classes = Array.from({ length: 30 }, (_, n) => `${(n % 11) + 1}${'АБВ'[Math.floor(n / 11)]}`);
  const students = Array.from({ length: 1200 }, (_, n) => ({
    id: `S${n}`,
    classCode: classes[n % 30] as string,
  }));
  const guardians = Array.from({ length: 2000 }, (_, n) => ({
    id: `G${n}`,
    studentIds: n < 1200 ? [`S${n}`] : [`S${n - 1200}`, `S${(n - 1200 + 30) % 1200}`],
  }));
  const staff = Array.from({ length: 150 }, (_, n) => ({ id: `T${n}` }));
  // 60 chats: a class chat and a parents chat per class; guardians are members of their children's chats.
  const chatIds = classes.flatMap((code, n) => [
    { code, kind: 'class', chatId: -1006000000000 - n * 2 },
    { code, kind: 'parents', chatId: -1006000000001 - n * 2 },
  ]);
  const members = new Map<number, number[]>();
  guardians.forEach((guardian, n) => {
    for (const studentId of guardian.studentIds) {
      const code = students[Number(studentId.slice(1))]?.classCode;
      for (const chat of chatIds.filter((c) => c.code === code))
        members.set(chat.chatId, [...(members.get(chat.chatId) ?? []), 7_000_000 + n]);
    }
  });
  await bulkChats(
    db.database,
    chatIds.map((c) => ({
      chatId: c.chatId,
      title: `${c.kind} ${c.code}`,
      userIds: [...new Set(members.get(c.chatId) ?? [])],
    })),
  );
  const d = db.database.db;
  for (const chat of chatIds) {
    await d.execute(
      sql`update chats set settings = ${JSON.stringify({ class: chat.code, kind: chat.kind })}::jsonb where platform_chat_id = ${String(chat.chatId)}`,
    );
  }
  const { bot, port } = await workerBot(api, db.database);
  const token = await createRosterRepository(d).createToken(1, 'bench', new Date());
  const put = async (body: unknown) => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/roster`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const result = (await response.json()) as Record<string, number>;
    return { ms: performance.now() - started, result, status: response.status };
  };
  const initial = await put({ students, guardians, staff });
  // Link every guardian's account to them (as invitations would have), then 40 students depart.
  await d.execute(sql`
    insert into person_accounts (person_id, account_id, linked_by, linked_at)
    select p.id, a.id, 'invitation', now() from persons p
    join accounts a on a.platform_user_id = (7000000 + substring(p.external_id from 2)::int)::text
    where p.kind = 'guardian'`);
  const departing = new Set(Array.from({ length: 40 }, (_, n) => `S${n * 30}`));
  const next = await put({
    students: students.filter((s) => !departing.has(s.id)),
    guardians: guardians
      .map((g) => ({ ...g, studentIds: g.studentIds.filter((id) => !departing.has(id)) }))
      .filter((g) => g.studentIds.length > 0),
    staff,
  });
  const [queued] = await d.select({ n: sql<number>`count(*)::int` }).from(removals);
  await bot.stop();
  await db.drop();
  await api.stop();
  // What the snapshot must change, worked out here from the data: one departure event a departing student
  // (their guardians' links end with them), and one removal for each chat a linked guardian is in only
  // through departing children.
  const chatsOf = (studentIds: string[]) =>
    new Set(
      studentIds.flatMap((studentId) =>
        chatIds
          .filter((c) => c.code === students[Number(studentId.slice(1))]?.classCode)
          .map((c) => c.chatId),
      ),
    );
  let expectedRemovals = 0;
  for (const guardian of guardians) {
    const after = chatsOf(guardian.studentIds.filter((id) => !departing.has(id)));
    for (const chatId of chatsOf(guardian.studentIds)) if (!after.has(chatId)) expectedRemovals += 1;
  }
  const changes = Number(next.result.changes);
  const removalsQueued = Number(queued?.n ?? 0);
  return {
    scenario: 'roster snapshot: 1,200 students, 2,000 guardians, 150 staff, 60 chats, 40 departures',
    figure: `diff and enqueue in ${(next.ms / 1000).toFixed(2)} s (${changes} of ${departing.size} changes, ${removalsQueued} of ${expectedRemovals} removals queued)`,
    target: '≤ 1 s, changes and removals as expected',
    pass:
      next.status === 200 &&
      next.ms <= 1000 &&
      changes === departing.size &&
      removalsQueued === expectedRemovals,
    details: {
      initialImportSeconds: initial.ms / 1000,
      initial: initial.result,
      next: next.result,
      removalsQueued,
      expectedRemovals,
    },
  };
}

/** Successful calls of `methods` at the fake, by chat. */
function perChatCalls(api: FakeBotApi, methods: string[]): number[] {
  const counts = new Map<string, number>();
  for (const method of methods)
    for (const call of api.callsTo(method).filter((c) => c.ok)) {
      const chat = String(call.params.chat_id);
      counts.set(chat, (counts.get(chat) ?? 0) + 1);
    }
  return [...counts.values()];
}

const MESSAGE_LIMITS = {
  globalPerSecond: TELEGRAM_LIMITS.globalPerSecond ?? 30,
  perChatPerSecond: TELEGRAM_LIMITS.perChatPerSecond ?? 1,
  perChatPerMinute: TELEGRAM_LIMITS.perChatPerMinute ?? 20,
};

/**
 * 600 removals over 60 chats against a fake enforcing Telegram's limits on every method (messages and member
 * actions alike); and 600 messages the same way. Each row counts the calls the fake performed.
 */
export async function outboundBurst(): Promise<Row[]> {
  // Telegram's published limits, enforced by the fake: 30 a second, one a second in a chat, 20 a minute in
  // a group; for messages, and (counted apart) for bans, unbans and restrictions.
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES], limits: TELEGRAM_LIMITS_EVERY_METHOD });
  await api.start();
  const principal = api.createUser({ first_name: 'Директор' });
  const staffUsers = Array.from({ length: 10 }, (_, k) =>
    api.createUser({ first_name: 'Учитель', last_name: String(k) }),
  );
  const chats = Array.from({ length: 60 }, (_, n) => {
    const chat = api.createChat({ type: 'supergroup', title: `Класс ${n}` });
    api.addMember(chat.id, principal, { status: 'creator' });
    for (const user of staffUsers) api.addMember(chat.id, user, { by: principal });
    api.addBot(chat.id, {
      by: principal,
      status: 'administrator',
      rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
    });
    return { chatId: chat.id, title: `Класс ${n}`, userIds: staffUsers.map((u) => u.id) };
  });
  api.clearCalls();
  const db = await benchDatabase(20);
  await bulkChats(db.database, chats);
  const d = db.database.db;
  const { bot, port } = await workerBot(api, db.database);
  const token = await createRosterRepository(d).createToken(1, 'bench', new Date());
  const call = (method: string, body: unknown) =>
    fetch(`http://127.0.0.1:${port}/api/v1/roster/events`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await call('POST', {
    events: staffUsers.map((_, k) => ({ id: `h${k}`, type: 'staff.hired', staffId: `T${k}` })),
  });
  await d.execute(sql`
    insert into person_accounts (person_id, account_id, linked_by, linked_at)
    select p.id, a.id, 'invitation', now() from persons p
    join accounts a on a.platform_user_id = any(${texts(staffUsers.map((u) => String(u.id)))})
      and p.external_id = 'T' || (array_position(${texts(staffUsers.map((u) => String(u.id)))}, a.platform_user_id) - 1)
    where p.kind = 'staff'`);
  const before = api.stats().tooManyRequests;
  let started = performance.now();
  await call('POST', {
    events: staffUsers.map((_, k) => ({ id: `d${k}`, type: 'staff.departed', staffId: `T${k}` })),
  });
  await waitFor(
    async () => {
      const [row] = await d
        .select({ n: sql<number>`count(*)::int` })
        .from(removals)
        .where(eq(removals.status, 'done'));
      const [pending] = await d
        .select({ n: sql<number>`count(*)::int` })
        .from(outbox)
        .where(eq(outbox.status, 'pending'));
      return Number(row?.n) >= 600 && Number(pending?.n) === 0;
    },
    'removals done',
    120_000,
  );
  const removalSeconds = (performance.now() - started) / 1000;
  const removal429 = api.stats().tooManyRequests - before;
  const summaries = api.callsTo('sendMessage').filter((c) => c.ok).length;
  const bans = api.callsTo('banChatMember').filter((c) => c.ok).length;
  const memberActions = ['banChatMember', 'unbanChatMember', 'restrictChatMember'];
  const removalAllowed = Math.max(
    limitAllowedSeconds(perChatCalls(api, memberActions), MESSAGE_LIMITS),
    limitAllowedSeconds(perChatCalls(api, ['sendMessage']), MESSAGE_LIMITS),
  );

  // The same pacing for 600 messages: ten announcements in each of the 60 chats at once.
  api.clearCalls();
  const before2 = api.stats().tooManyRequests;
  started = performance.now();
  await bot.app.services.transact(async (work) => {
    for (const chat of chats) {
      for (let k = 0; k < 10; k += 1) {
        await work.enqueue({
          type: 'send',
          chat: { platform: 'telegram', platformChatId: String(chat.chatId) },
          text: `Объявление ${k}`,
        });
      }
    }
  });
  await waitFor(
    async () => {
      const [pending] = await d
        .select({ n: sql<number>`count(*)::int` })
        .from(outbox)
        .where(and(eq(outbox.status, 'pending')));
      return Number(pending?.n) === 0;
    },
    'messages sent',
    120_000,
  );
  const messageSeconds = (performance.now() - started) / 1000;
  const message429 = api.stats().tooManyRequests - before2;
  const sent = api.callsTo('sendMessage').filter((c) => c.ok).length;
  const messageAllowed = limitAllowedSeconds(perChatCalls(api, ['sendMessage']), MESSAGE_LIMITS);

  // Two replicas on the same outbox: together they must stay within the limits (a pacing budget the
  // replicas share, not one per process). Five more a chat keeps each chat within its 20 a minute.
  const second = await openDatabase({ kind: 'postgres', url: db.url, maxConnections: 10 });
  const { bot: replica } = await workerBot(api, second);
  api.clearCalls();
  const before3 = api.stats().tooManyRequests;
  started = performance.now();
  await bot.app.services.transact(async (work) => {
    for (const chat of chats) {
      for (let k = 0; k < 5; k += 1) {
        await work.enqueue({
          type: 'send',
          chat: { platform: 'telegram', platformChatId: String(chat.chatId) },
          text: `Напоминание ${k}`,
        });
      }
    }
  });
  await waitFor(
    async () => {
      const [pending] = await d
        .select({ n: sql<number>`count(*)::int` })
        .from(outbox)
        .where(eq(outbox.status, 'pending'));
      return Number(pending?.n) === 0;
    },
    'messages sent by two replicas',
    120_000,
  );
  const replicaSeconds = (performance.now() - started) / 1000;
  const replica429 = api.stats().tooManyRequests - before3;
  const replicaSent = api.callsTo('sendMessage').filter((c) => c.ok).length;
  const replicaAllowed = limitAllowedSeconds(perChatCalls(api, ['sendMessage']), MESSAGE_LIMITS);
  await replica.stop();
  await second.close();
  await bot.stop();
  await db.drop();
  await api.stop();
  return [
    {
      scenario:
        'outbound burst: 600 removals over 60 chats, fake enforcing Telegram’s limits on every method',
      figure: `${removalSeconds.toFixed(1)} s (the limits allow ${removalAllowed.toFixed(0)} s), ${removal429} × 429; ${bans} of 600 bans, ${summaries} of 60 summaries`,
      target: '≤ 25 s, zero 429s, 600 bans and 60 summaries',
      pass: removalSeconds <= 25 && removal429 === 0 && bans === 600 && summaries === 60,
      details: { removalSeconds, removalAllowed, removal429, bans, summaries },
    },
    {
      scenario: 'outbound burst: 600 messages over 60 chats, same limits',
      figure: `${messageSeconds.toFixed(1)} s (the limits allow ${messageAllowed.toFixed(0)} s), ${message429} × 429; ${sent} of 600 sent`,
      target: '≤ 25 s, zero 429s, 600 sent',
      pass: messageSeconds <= 25 && message429 === 0 && sent === 600,
      details: { messageSeconds, messageAllowed, message429, sent },
    },
    {
      scenario: 'outbound burst: 300 messages over 60 chats from two replicas at once, same limits',
      figure: `${replicaSeconds.toFixed(1)} s (the limits allow ${replicaAllowed.toFixed(0)} s), ${replica429} × 429; ${replicaSent} of 300 sent`,
      target: '≤ 25 s, zero 429s, 300 sent',
      pass: replicaSeconds <= 25 && replica429 === 0 && replicaSent === 300,
      details: { replicaSeconds, replicaAllowed, replica429, replicaSent },
    },
  ];
}

/** Resident memory of a bot process that has seen 10,000 chats and 200,000 members. */
export async function memory(kind: 'postgres' | 'pglite', chats = 10_000, perChat = 20): Promise<Row> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ccm-bench-mem-'));
  const db = kind === 'postgres' ? await benchDatabase(20) : undefined;
  const list = Array.from({ length: chats }, (_, n) => ({
    chatId: -1007000000000 - n,
    title: `Чат ${n}`,
    userIds: Array.from({ length: perChat }, (_, k) => 8_000_000 + n * perChat + k),
  }));
  // The chats and members are in the database already (as after a term of use), so what is measured is
  // the bot's own memory once it has seen every one of them, not the time to register them.
  if (db) await bulkChats(db.database, list);
  else {
    const embedded = await openDatabase({ kind: 'pglite', dataDir });
    await bulkChats(embedded, list);
    await embedded.close();
  }
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    BOT_MODE: 'webhook',
    WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
    WEBHOOK_SECRET: SECRET,
    HTTP_PORT: String(port),
    LOG_LEVEL: 'error',
    ...imageRuntimeEnv(),
    ...(db ? { DATABASE_URL: db.url } : { DATA_DIR: dataDir }),
  };
  // The compiled bot, as the Docker image runs it (tsx's compiler would be counted otherwise).
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
      } catch {
        return false;
      }
    },
    'the bot',
    120_000,
  );
  let id = 1;
  const bodies: string[] = [];
  for (const chat of list)
    for (const user of chat.userIds)
      bodies.push(
        messageUpdate(
          id++,
          chat.chatId,
          { id: user, first_name: 'Участник', last_name: String(user) },
          'Добрый день',
        ),
      );
  const loaded = await load({
    url: `http://127.0.0.1:${port}/hook`,
    secret: SECRET,
    bodies,
    connections: 64,
  });
  allOk(loaded, 'loading');
  const seconds = loaded.seconds;
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const rss = Number(/^ccm_process_resident_memory_bytes (\d+)/m.exec(metrics)?.[1] ?? 0);
  const heap = Number(/^ccm_nodejs_heap_size_used_bytes (\d+)/m.exec(metrics)?.[1] ?? 0);
  let handled = 0;
  for (const match of metrics.matchAll(/^ccm_updates_total(?:\{[^}]*\})? (\d+)/gm))
    handled += Number(match[1]);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
  await api.stop();
  const mb = rss / 1024 / 1024;
  return {
    scenario: `memory after ${chats.toLocaleString('en')} chats and ${(chats * perChat).toLocaleString('en')} members (${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'})`,
    figure: `RSS ${mb.toFixed(0)} MB, JS heap in use ${(heap / 2 ** 20).toFixed(0)} MB (${handled} of ${bodies.length} updates handled in ${seconds.toFixed(0)} s)`,
    target: kind === 'postgres' ? '≤ 200 MB, every update handled' : 'reported, every update handled',
    pass: (kind === 'postgres' ? mb <= 200 : true) && handled >= bodies.length,
    details: { rssBytes: rss, heapUsedBytes: heap, loadSeconds: seconds, updates: bodies.length, handled },
  };
}

/** Start-up to ready with an existing embedded database, as `npm start` and as the compiled image runs it. */
export async function startup(): Promise<Row> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ccm-bench-start-'));
  const measure = async (args: string[]) => {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: {
        PATH: process.env.PATH ?? '',
        BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_DIR: dataDir,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'info',
        ...imageRuntimeEnv(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-2000);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const ready = new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('bot is ready')) resolve(performance.now() - started);
      });
      void exited.then(() =>
        reject(new Error(`the bot exited before it was ready: ${errors || out.slice(-2000)}`)),
      );
      setTimeout(
        () => reject(new Error(`the bot was not ready in 60 s: ${errors || out.slice(-2000)}`)),
        60_000,
      ).unref();
    });
    try {
      return await ready;
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  };
  await measure(['--import', 'tsx', 'src/main.ts']); // creates the embedded database (not timed)
  const tsx: number[] = [];
  const compiled: number[] = [];
  for (let i = 0; i < 3; i += 1) tsx.push(await measure(['--import', 'tsx', 'src/main.ts']));
  for (let i = 0; i < 3; i += 1) compiled.push(await measure(['dist/src/main.js']));
  await rm(dataDir, { recursive: true, force: true });
  await api.stop();
  const best = (values: number[]) => Math.min(...values) / 1000;
  const median = (values: number[]) => percentile(values, 50) / 1000;
  return {
    scenario: 'start-up to ready, existing embedded database',
    figure: `${median(compiled).toFixed(2)} s compiled (dist/), ${median(tsx).toFixed(2)} s with tsx (npm start)`,
    target: '≤ 1.5 s',
    pass: median(compiled) <= 1.5,
    details: {
      compiledSeconds: compiled.map((v) => v / 1000),
      tsxSeconds: tsx.map((v) => v / 1000),
      bestCompiled: best(compiled),
    },
  };
}
