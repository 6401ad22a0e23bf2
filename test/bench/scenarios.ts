import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { Telegraf } from 'telegraf';
import { type RunningBot, startBot } from '../../src/app/start.js';
import { loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { blocks, outbox, removals } from '../../src/db/schema.js';
import { liftDueBlocks } from '../../src/features/blocks/lift.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import { FakeBotApi, TELEGRAM_LIMITS } from '../../src/sandbox/telegram/index.js';
import { freePort, waitFor } from '../support/net.js';
import {
  allOk,
  benchDatabase,
  bulkAdmins,
  bulkChats,
  imageRuntimeEnv,
  load,
  messageUpdate,
  percentile,
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
async function workerBot(api: FakeBotApi, database: Database): Promise<{ bot: RunningBot; port: number }> {
  const port = await freePort();
  const config = loadConfig({
    BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    HTTP_PORT: String(port),
  });
  const bot = await startBot(config, silentLogger, { database, receiveUpdates: false });
  return { bot, port };
}

/** Ordinary messages through the webhook, against a bare telegraf bot with an empty handler, same run. */
export async function webhookThroughput(): Promise<Row> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const db = await benchDatabase();
  const chats = Array.from({ length: 100 }, (_, n) => ({
    chatId: -1003000000000 - n,
    title: `Чат ${n}`,
    userIds: Array.from({ length: 20 }, (_, k) => 4_000_000 + n * 20 + k),
  }));
  await bulkChats(db.database, chats);
  const { bot, url } = await webhookBot(api, db.database);
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
  // Warm-up: every member posts once, so the bot knows them (as it would after a day in the chat).
  allOk(await load(url, SECRET, updates(2000), 32), 'warm-up');
  const N = 20_000;
  const ours = await load(url, SECRET, updates(N), 32);
  allOk(ours, 'our bot');
  const ourRate = N / ours.seconds;
  await bot.stop();

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
  bare.on('message', () => {});
  const port = await freePort();
  const server = http.createServer(bare.webhookCallback('/hook', { secretToken: SECRET }));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${port}/hook`;
  allOk(await load(bareUrl, SECRET, updates(2000), 32), 'bare warm-up');
  const theirs = await load(bareUrl, SECRET, updates(N), 32);
  allOk(theirs, 'bare bot');
  const bareRate = N / theirs.seconds;
  await new Promise((resolve) => server.close(resolve));
  await db.drop();
  await api.stop();
  const ratio = ourRate / bareRate;
  return {
    scenario: 'ordinary group messages through the webhook vs a bare telegraf bot',
    figure: `${Math.round(ourRate)}/s vs ${Math.round(bareRate)}/s = ${Math.round(ratio * 100)}%`,
    target: '≥ 70% of the bare bot',
    pass: ratio >= 0.7,
    details: { updates: N, concurrency: 32, ours: ourRate, bare: bareRate, ratio },
  };
}

/** `/strike` commands from 200 chats at once, on PostgreSQL. */
export async function strikeLatency(): Promise<Row> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const teacher = api.createUser({ first_name: 'Учитель', last_name: 'Иванова' });
  const chats = Array.from({ length: 200 }, (_, n) => {
    const chat = api.createChat({ type: 'supergroup', title: `Класс ${n}` });
    api.addMember(chat.id, teacher, { status: 'creator' });
    const members = Array.from({ length: 12 }, (_, k) => {
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
  let id = 1;
  const round = (k: number) =>
    chats.map((chat) => {
      const member = chat.members[k % chat.members.length] as (typeof chat.members)[number];
      return messageUpdate(id++, chat.chatId, teacher, `/strike ${(k % 4) + 1} реклама`, {
        messageId: 100 + k,
        from: member,
        text: 'Реклама!',
      });
    });
  // A first round warms the caches (chats, admins), as a working bot's would be.
  allOk(await load(url, SECRET, round(0), 200), 'warm-up');
  const latencies: number[] = [];
  const ROUNDS = 10;
  let seconds = 0;
  for (let k = 1; k <= ROUNDS; k += 1) {
    const result = await load(url, SECRET, round(k), 200);
    allOk(result, `round ${k}`);
    latencies.push(...result.durations);
    seconds += result.seconds;
  }
  const [recorded] = rowsOf<{ n: number }>(
    await db.database.db.execute(sql`select count(*)::int as n from strikes`),
  );
  await bot.stop();
  await db.drop();
  await api.stop();
  const p99 = percentile(latencies, 99);
  const rate = latencies.length / seconds;
  return {
    scenario: '/strike commands from 200 chats at once (PostgreSQL)',
    figure: `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${Math.round(rate)}/s`,
    target: 'p99 ≤ 25 ms, ≥ 500/s',
    pass: p99 <= 25 && rate >= 500,
    details: {
      strikes: latencies.length,
      recorded: Number(recorded?.n ?? 0),
      concurrency: 200,
      p50: percentile(latencies, 50),
      p99,
      rate,
    },
  };
}

/** 100,000 running blocks; 1,000 of them due (or none), lifted by the scheduled job against the fake. */
export async function scheduledUnblock(): Promise<Row[]> {
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES] });
  await api.start();
  const teacher = api.createUser({ first_name: 'Учитель' });
  // The 1,000 due blocks are in chats the fake knows (the lifts really happen); the other 99,000 are not due.
  const known = Array.from({ length: 100 }, (_, n) => {
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
  const other = Array.from({ length: 1000 }, (_, n) => ({
    chatId: -1005000000000 - n,
    title: `Чат ${n}`,
    userIds: Array.from({ length: 99 }, (_, k) => 6_000_000 + n * 99 + k),
  }));
  const db = await benchDatabase(20);
  await bulkChats(db.database, [...known, ...other]);
  const d = db.database.db;
  // Every member of those chats is blocked: 1,000 due a minute ago, 99,000 due in a week.
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

  const { bot } = await workerBot(api, db.database);
  // The start-up run already began lifting; time from there until every due block is lifted.
  const started = performance.now();
  await liftDueBlocks(bot.app.services);
  await waitFor(
    async () => {
      const [row] = rowsOf<{ n: number }>(
        await d.execute(sql`select count(*)::int as n from blocks where status = 'lifted'`),
      );
      return Number(row?.n) >= 1000;
    },
    'all due blocks lifted',
    120_000,
  );
  const liftSeconds = (performance.now() - started) / 1000;
  const unmutes = api.callsTo('restrictChatMember').filter((call) => call.ok).length;

  // Nothing due: how long one run of the job takes.
  await waitFor(async () => {
    const [row] = await d
      .select({ n: sql<number>`count(*)::int` })
      .from(blocks)
      .where(eq(blocks.status, 'lifting'));
    return Number(row?.n) === 0;
  }, 'lifts settled');
  const idle: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const t = performance.now();
    await liftDueBlocks(bot.app.services);
    idle.push(performance.now() - t);
  }
  await bot.stop();
  await db.drop();
  await api.stop();
  const usesIndex = explain.includes('blocks_due_idx');
  const idleMs = idle.reduce((a, b) => a + b, 0) / idle.length;
  return [
    {
      scenario: `scheduled unblock: ${counts?.due ?? 0} due among ${counts?.total ?? 0} active blocks`,
      figure: `all lifted in ${liftSeconds.toFixed(2)} s (${unmutes} unmutes); due query ${usesIndex ? 'uses blocks_due_idx' : 'does NOT use the index'}`,
      target: '≤ 2 s; index used',
      pass: liftSeconds <= 2 && usesIndex && unmutes >= 1000,
      details: { explain, liftSeconds, unmutes },
    },
    {
      scenario: 'scheduled unblock with nothing due, 100,000 active blocks',
      figure: `${idleMs.toFixed(2)} ms per run (p99 ${percentile(idle, 99).toFixed(2)} ms)`,
      target: '≤ 5 ms per run',
      pass: idleMs <= 5,
      details: { runs: idle.length, mean: idleMs, p99: percentile(idle, 99) },
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
  return {
    scenario: 'roster snapshot: 1,200 students, 2,000 guardians, 150 staff, 60 chats, 40 departures',
    figure: `diff and enqueue in ${(next.ms / 1000).toFixed(2)} s (${next.result.changes} changes, ${Number(queued?.n ?? 0)} removals queued)`,
    target: '≤ 1 s',
    pass: next.status === 200 && next.ms <= 1000,
    details: { initialImportSeconds: initial.ms / 1000, initial: initial.result, next: next.result },
  };
}

/** 600 removals over 60 chats against a fake enforcing Telegram's limits; and 600 messages the same way. */
export async function outboundBurst(): Promise<Row[]> {
  // Telegram's published limits, enforced by the fake: 30 messages a second, one a second in a chat,
  // 20 a minute in a group.
  const api = new FakeBotApi({ allowedUpdates: [...ALLOWED_UPDATES], limits: TELEGRAM_LIMITS });
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
  await bot.stop();
  await db.drop();
  await api.stop();
  return [
    {
      scenario: 'outbound burst: 600 removals over 60 chats, fake enforcing Telegram’s limits',
      figure: `${removalSeconds.toFixed(1)} s, ${removal429} × 429 (600 bans + ${summaries} summaries, one per chat)`,
      target: '≤ 25 s, zero 429s',
      pass: removalSeconds <= 25 && removal429 === 0,
      details: { removalSeconds, removal429, summaries },
    },
    {
      scenario: 'outbound burst: 600 messages over 60 chats, same limits',
      figure: `${messageSeconds.toFixed(1)} s, ${message429} × 429 (${sent} sent)`,
      target: '≤ 25 s, zero 429s',
      pass: messageSeconds <= 25 && message429 === 0 && sent === 600,
      details: { messageSeconds, message429, sent },
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
  const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: 'ignore' });
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
  const loaded = await load(`http://127.0.0.1:${port}/hook`, SECRET, bodies, 64);
  allOk(loaded, 'loading');
  const seconds = loaded.seconds;
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const rss = Number(/^ccm_process_resident_memory_bytes (\d+)/m.exec(metrics)?.[1] ?? 0);
  const heap = Number(/^ccm_nodejs_heap_size_used_bytes (\d+)/m.exec(metrics)?.[1] ?? 0);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
  await api.stop();
  const mb = rss / 1024 / 1024;
  return {
    scenario: `memory after ${chats.toLocaleString('en')} chats and ${(chats * perChat).toLocaleString('en')} members (${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'})`,
    figure: `RSS ${mb.toFixed(0)} MB, JS heap in use ${(heap / 2 ** 20).toFixed(0)} MB (loaded in ${seconds.toFixed(0)} s)`,
    target: kind === 'postgres' ? '≤ 200 MB' : 'reported',
    pass: kind === 'postgres' ? mb <= 200 : true,
    details: { rssBytes: rss, heapUsedBytes: heap, loadSeconds: seconds, updates: bodies.length },
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
