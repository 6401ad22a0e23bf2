import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type SQL, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/client.js';
import { ensureDefaultSchool } from '../../src/db/repos/chats.js';

/** A list of strings as one `text[]` parameter (drizzle would otherwise spread an array into a row). */
export function texts(values: readonly string[]): SQL {
  return sql`${sql.param(values)}::text[]`;
}

/**
 * The bot as production runs it: compiled by tsc into dist/ (`npm run bench` builds it first), not
 * transformed by tsx, whose `keepNames` wraps every closure the bot creates in a call that names it.
 */
export async function compiledBot(): Promise<{
  startBot: typeof import('../../src/app/start.js').startBot;
  loadConfig: typeof import('../../src/config.js').loadConfig;
  liftDueBlocks: typeof import('../../src/features/blocks/lift.js').liftDueBlocks;
}> {
  const dist = new URL('../../dist/src/', import.meta.url);
  const [{ startBot }, { loadConfig }, { liftDueBlocks }] = await Promise.all([
    import(new URL('app/start.js', dist).href) as Promise<typeof import('../../src/app/start.js')>,
    import(new URL('config.js', dist).href) as Promise<typeof import('../../src/config.js')>,
    import(new URL('features/blocks/lift.js', dist).href) as Promise<
      typeof import('../../src/features/blocks/lift.js')
    >,
  ]);
  return { startBot, loadConfig, liftDueBlocks };
}

/** Latency percentile of a list of durations (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated PostgreSQL database for one scenario, dropped afterwards. */
export async function benchDatabase(
  maxConnections = 20,
): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  const name = `ccm_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), maxConnections });
  const drop = async () => {
    leftovers.delete(drop);
    await database.close().catch(() => {});
    const cleanup = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
    await cleanup.end();
  };
  leftovers.add(drop);
  return { database, url: url.toString(), drop };
}

const leftovers = new Set<() => Promise<void>>();

/** Drops the databases of a scenario that failed before dropping its own. */
export async function dropLeftoverDatabases(): Promise<void> {
  for (const drop of [...leftovers]) await drop().catch(() => {});
}

/**
 * Fills the database the fast way (SQL, not updates): the given Telegram chats (supergroups of the
 * default school, the bot an administrator) and their members, each member a distinct account.
 */
export async function bulkChats(
  database: Database,
  chats: Array<{ chatId: number; title: string; userIds: number[] }>,
  profile: (userId: number) => { firstName: string; lastName: string } = (userId) => ({
    firstName: 'Участник',
    lastName: String(userId),
  }),
  platform: 'telegram' | 'max' = 'telegram',
) {
  const db = database.db;
  const schoolId = await ensureDefaultSchool(db, 'School');
  for (let start = 0; start < chats.length; start += 2000) {
    const slice = chats.slice(start, start + 2000);
    await db.execute(sql`
      insert into chats (school_id, platform, platform_chat_id, type, title, bot_status, bot_rights)
      select ${schoolId}, ${platform}, c, 'supergroup', t, 'administrator',
        '{"canRestrictMembers":true,"canDeleteMessages":true,"canInviteUsers":true}'::jsonb
      from unnest(${texts(slice.map((c) => String(c.chatId)))}, ${texts(slice.map((c) => c.title))}) as x(c, t)
      on conflict do nothing`);
  }
  const pairs = chats.flatMap((chat) =>
    chat.userIds.map((userId) => [String(chat.chatId), String(userId)] as const),
  );
  for (let start = 0; start < pairs.length; start += 20_000) {
    const slice = pairs.slice(start, start + 20_000);
    await db.execute(sql`
      insert into accounts (platform, platform_user_id, first_name, last_name)
      select ${platform}, u, f, l
      from unnest(${texts(slice.map((p) => p[1]))}, ${texts(slice.map((p) => profile(Number(p[1])).firstName))},
        ${texts(slice.map((p) => profile(Number(p[1])).lastName))}) as x(u, f, l)
      on conflict do nothing`);
    await db.execute(sql`
      insert into chat_members (chat_id, account_id, status)
      select c.id, a.id, 'member'
      from unnest(${texts(slice.map((p) => p[0]))}, ${texts(slice.map((p) => p[1]))}) as x(chat, u)
      join chats c on c.platform = ${platform} and c.platform_chat_id = x.chat
      join accounts a on a.platform = ${platform} and a.platform_user_id = x.u
      on conflict do nothing`);
  }
  await db.execute(
    sql`insert into rules (chat_id, version, text) select id, 1, null from chats on conflict do nothing`,
  );
}

/** Records `userId` as an administrator of each chat, read just now (no platform call needed to check). */
export async function bulkAdmins(database: Database, chatIds: number[], userId: number) {
  await database.db.execute(sql`
    insert into chat_admins (chat_id, platform_user_id, status)
    select id, ${String(userId)}, 'creator' from chats where platform_chat_id = any(${texts(chatIds.map(String))})
    on conflict do nothing`);
  await database.db.execute(
    sql`update chats set admins_refreshed_at = now() where platform_chat_id = any(${texts(chatIds.map(String))})`,
  );
}

export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** A Telegram message update, as the webhook receives it. */
export function messageUpdate(
  updateId: number,
  chatId: number,
  from: { id: number; first_name: string; last_name?: string },
  text: string,
  replyTo?: { messageId: number; from: { id: number; first_name: string; last_name?: string }; text: string },
) {
  const date = Math.floor(Date.now() / 1000);
  const chat = { id: chatId, type: 'supergroup', title: `Чат ${chatId}` };
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      date,
      chat,
      from: { is_bot: false, ...from },
      text,
      ...(text.startsWith('/')
        ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 1 }] }
        : {}),
      ...(replyTo
        ? {
            reply_to_message: {
              message_id: replyTo.messageId,
              date,
              chat,
              from: { is_bot: false, ...replyTo.from },
              text: replyTo.text,
            },
          }
        : {}),
    },
  });
}

export interface Load {
  /** How many requests got each HTTP status (`error`, `timeout`: no answer). */
  statuses: Record<string, number>;
  seconds: number;
  /** Requests sent. */
  sent: number;
  /** Round trips in ms; in an open loop from each request's scheduled time. */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Open loop: the arrival rate the generator kept up. */
  achievedRate?: number;
  /** CPU seconds (user + system) the bench's own process spent while the load ran: the server's, here. */
  cpuSeconds: number;
  /** CPU seconds the load generator's process spent on the run. */
  loaderCpuSeconds: number;
}

export interface LoadOptions {
  url: string;
  /** One body per request (distinct update ids); at least `amount`. */
  bodies: string[];
  /** Requests to send; all of `bodies` unless given. */
  amount?: number;
  /** Closed loop: connections, each posting its next body once the previous one is answered. */
  connections?: number;
  /** Open loop: arrivals a second, evenly spaced, whatever the answers do. */
  rate?: number;
  secret?: string;
  secretHeader?: string;
}

const LOADER = fileURLToPath(new URL('./loader.mjs', import.meta.url));

/**
 * Posts `bodies` from a separate process (test/bench/loader.mjs: autocannon in a closed loop, a scheduled
 * open loop when `rate` is given), so the load generator never shares the event loop of the server.
 */
export async function load(options: LoadOptions): Promise<Load> {
  const amount = options.amount ?? options.bodies.length;
  if (options.bodies.length < amount) throw new Error('fewer bodies than requests');
  const child = fork(LOADER, [], { execArgv: [], serialization: 'advanced', stdio: 'inherit' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const answer = new Promise<Load | { failure: string }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as Load | { failure: string }));
      child.once('error', reject);
      void exited.then((code) => reject(new Error(`the load generator exited (${code}) without an answer`)));
    });
    child.send({
      url: options.url,
      headers: {
        'content-type': 'application/json',
        ...(options.secret !== undefined
          ? { [options.secretHeader ?? 'x-telegram-bot-api-secret-token']: options.secret }
          : {}),
      },
      bodies: options.bodies,
      amount,
      connections: options.connections ?? 32,
      rate: options.rate,
    });
    // After the send: serialising the bodies for the child is the bench's cost, not the server's.
    const cpuBefore = process.cpuUsage();
    const result = await answer;
    const cpu = process.cpuUsage(cpuBefore);
    if ('failure' in result) throw new Error(`load generator: ${result.failure}`);
    return { ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    if (child.exitCode === null) child.kill();
    await exited;
  }
}

/**
 * The load generator's own ceiling: the same bodies, connections and process against a node:http server
 * that reads each body and answers 200 (in this process, as the bots under test are).
 */
export async function loaderCeiling(bodies: string[], connections: number): Promise<Load> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const url = `http://127.0.0.1:${port}/hook`;
    await load({ url, bodies: bodies.slice(0, 2000), connections });
    const result = await load({ url, bodies, connections, secret: 'x' });
    allOk(result, 'loader ceiling');
    return result;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * The server's CPU time per request in µs: the bench's process (the bot or the bare client, with the fake
 * platform idle) while the load ran. Steadier than the throughput on this machine, whose figures come in
 * steps (see README, Performance).
 */
export function cpuPerUpdate(load: Load, requests: number): string {
  return `${Math.round((load.cpuSeconds * 1e6) / requests)} µs`;
}

/** Rounds of a comparison of two servers (ours, then the other, in each). */
export const COMPARISON_ROUNDS = 3;

/** One server's run in a round of a comparison, with the updates it counted as handled. */
interface RoundRun {
  run: Load;
  handled: number;
}

/** A round of a comparison: ours, then the other server, and our throughput over theirs. */
interface Round<O, B> {
  ours: O;
  bare: B;
  ratio: number;
}

/**
 * Runs ours and then the other server in each of `rounds` rounds and picks the round with the median
 * ratio (our throughput over theirs): this machine's throughputs come in steps (see README, Performance),
 * so a single pair can land on different steps. `ourHandled` and `bareHandled` are the fewest updates a
 * side handled in any round (a row checks every round's work, not only the median's).
 */
export async function alternate<O extends RoundRun, B extends RoundRun>(
  rounds: number,
  ours: (round: number) => Promise<O>,
  bare: (round: number) => Promise<B>,
): Promise<{ rounds: Round<O, B>[]; median: Round<O, B>; ourHandled: number; bareHandled: number }> {
  const done: Round<O, B>[] = [];
  for (let round = 1; round <= rounds; round++) {
    const o = await ours(round);
    const b = await bare(round);
    done.push({ ours: o, bare: b, ratio: b.run.seconds / o.run.seconds });
  }
  const sorted = [...done].sort((x, y) => x.ratio - y.ratio);
  return {
    rounds: done,
    median: sorted[Math.floor(sorted.length / 2)] as Round<O, B>,
    ourHandled: Math.min(...done.map((r) => r.ours.handled)),
    bareHandled: Math.min(...done.map((r) => r.bare.handled)),
  };
}

/** The figure's note on the rounds: "median of 3 rounds: 67%, 67%, 100%". */
export function roundsNote(rounds: readonly { ratio: number }[]): string {
  return `median of ${rounds.length} rounds: ${rounds.map((r) => `${Math.round(r.ratio * 100)}%`).join(', ')}`;
}

/** Each round's throughputs and CPU seconds, for the row's JSON details. */
export function roundsDetails(rounds: readonly Round<RoundRun, RoundRun>[], requests: number) {
  return rounds.map((r) => ({
    ratio: r.ratio,
    ours: requests / r.ours.run.seconds,
    bare: requests / r.bare.run.seconds,
    ourCpuSeconds: r.ours.run.cpuSeconds,
    bareCpuSeconds: r.bare.run.cpuSeconds,
  }));
}

export function allOk(load: Load, what: string): void {
  const bad = Object.entries(load.statuses).filter(([status]) => status !== '200');
  if (bad.length > 0 || (load.statuses['200'] ?? 0) !== load.sent)
    throw new Error(`${what}: not every request was answered 200: ${JSON.stringify(load.statuses)}`);
}

/** The memory settings the Docker image runs the bot with (its `ENV` lines), so the bench measures the same. */
export function imageRuntimeEnv(): Record<string, string> {
  const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const env: Record<string, string> = {};
  for (const name of ['NODE_OPTIONS', 'MALLOC_ARENA_MAX']) {
    const match = new RegExp(`${name}=("([^"]*)"|(\\S+))`).exec(dockerfile);
    const value = match?.[2] ?? match?.[3];
    if (value === undefined) throw new Error(`the Dockerfile sets no ${name}`);
    env[name] = value;
  }
  return env;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * With `BENCH_PROFILE=1`, records a CPU profile of this process while `fn` runs and prints where the
 * time went: self time by function (top 25) and by package or source folder. Without it, runs `fn`.
 */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!process.env.BENCH_PROFILE) return fn();
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = (await session.post('Profiler.stop')) as {
      profile: { nodes: ProfileNode[]; samples: number[] };
    };
    session.disconnect();
    if (process.env.BENCH_PROFILE_DIR) {
      const { writeFile } = await import('node:fs/promises');
      const file = `${process.env.BENCH_PROFILE_DIR}/${name.replace(/[^\w-]+/g, '-')}.cpuprofile`;
      await writeFile(file, JSON.stringify(profile));
    }
    const total = profile.samples.length;
    const byFunction = new Map<string, number>();
    const byPlace = new Map<string, number>();
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const file = url.replace(/^file:\/\//, '').replace(process.cwd(), '.');
      const fnKey = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`;
      byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + hits);
      const place = file.includes('node_modules/')
        ? `npm ${(/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file) ?? [])[1]}`
        : file.startsWith('./src/')
          ? file.split('/').slice(0, 3).join('/')
          : file.startsWith('node:')
            ? 'node internals'
            : file
              ? file.split('/').slice(0, 3).join('/')
              : functionName || '(vm)';
      byPlace.set(place, (byPlace.get(place) ?? 0) + hits);
    }
    const top = (map: Map<string, number>, n: number) =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([key, hits]) => `  ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`)
        .join('\n');
    console.log(
      `\nprofile of ${name} (${total} samples)\nby place:\n${top(byPlace, 25)}\nby function:\n${top(byFunction, 30)}\n`,
    );
  }
}
